"""API keys in the admin: read-only, revoked only through the service, and audited.

Each attack is made over HTTP by a superuser, who holds every model permission.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from api.models import ApiKey
from api.services import api_key_revoke
from core.models import AuditEvent
from core.permissions import AUDIT_VIEW
from tests.accounts.factories import staff_with
from tests.api.conftest import make_key
from tests.tenants.factories import OrgFactory

pytestmark = pytest.mark.django_db

ADMIN = "/admin/api/apikey/"
EMPTY_MOMENTS = {
    f"{field}_{part}": ""
    for field in ("expires_at", "revoked_at", "last_used_at", "expiry_notice_sent_at")
    for part in (0, 1)
}


def _key_form(key: ApiKey, **changes: Any) -> dict[str, Any]:
    """Every field the model's form would take, as a plain ModelAdmin's page posts it."""
    return {
        "name": key.name,
        "tenant": key.tenant_id,
        "public_id": key.public_id,
        "scopes": '["api_keys.manage", "made.up"]',
        "created_by": key.created_by_id,
        "last_used_ip": "",
        **EMPTY_MOMENTS,
        **changes,
    }


def test_staff_cannot_add_move_widen_or_unrevoke_keys(
    staff_client: Client, acme: Any, owner: Any
) -> None:
    globex = OrgFactory(name="Globex")
    make_key(acme, owner, [AUDIT_VIEW])
    key = ApiKey.objects.get()
    api_key_revoke(tenant=acme, key=key, acting_user=owner, acting_role=None)
    revoked_at = ApiKey.objects.get().revoked_at
    forged = _key_form(key, name="Backdoor", public_id="forged000000", tenant=acme.pk)

    added = staff_client.post(f"{ADMIN}add/", forged)
    changed = staff_client.post(f"{ADMIN}{key.pk}/change/", _key_form(key, tenant=globex.pk))
    deleted = staff_client.post(f"{ADMIN}{key.pk}/delete/", {"post": "yes"})

    assert [r.status_code for r in (added, changed, deleted)] == [403, 403, 403]
    key = ApiKey.objects.get()  # still the only key, as its owner left it
    assert (key.tenant, key.scopes, key.revoked_at) == (acme, [AUDIT_VIEW], revoked_at)


def test_staff_revoke_keys_through_the_service_and_are_named_in_the_log(
    staff_client: Client, staff: Any, acme: Any, owner: Any
) -> None:
    make_key(acme, owner, [AUDIT_VIEW], name="Zapier")
    make_key(acme, owner, [AUDIT_VIEW], name="Spare")
    zapier = ApiKey.objects.get(name="Zapier")

    response = staff_client.post(
        ADMIN, {"action": "revoke_keys", "_selected_action": [zapier.pk], "index": "0"}
    )

    assert response.status_code == 302
    assert list(ApiKey.objects.filter(revoked_at__isnull=False)) == [zapier]
    events = AuditEvent.objects.filter(tenant=acme, target_id=str(zapier.pk))
    assert set(events.values_list("action", "actor")) == {
        ("api_key.created", owner.pk),
        ("api_key.revoked", staff.pk),
        ("staff.changed", staff.pk),
    }


def test_keys_are_listed_searched_filtered_and_shown(
    staff_client: Client, acme: Any, owner: Any
) -> None:
    make_key(acme, owner, [AUDIT_VIEW], name="Zapier")
    key = ApiKey.objects.get()

    found = staff_client.get(ADMIN, {"q": key.public_id})
    live = staff_client.get(ADMIN, {"revoked_at__isempty": "1"})
    detail = staff_client.get(f"{ADMIN}{key.pk}/change/")

    assert found.status_code == live.status_code == detail.status_code == 200
    assert f"{ADMIN}{key.pk}/change/" in found.content.decode()
    assert f"{ADMIN}{key.pk}/change/" in live.content.decode()
    page = detail.content.decode()
    assert "Zapier" in page and 'name="name"' not in page  # shown, not editable
    assert key.secret_hash not in page


def test_staff_who_may_only_view_keys_are_not_offered_revoke(
    client: Client, acme: Any, owner: Any
) -> None:
    make_key(acme, owner, [AUDIT_VIEW])
    client.force_login(staff_with("api.view_apikey"))

    page = client.get(ADMIN)
    refused = client.post(
        ADMIN, {"action": "revoke_keys", "_selected_action": [ApiKey.objects.get().pk]}
    )

    assert page.status_code == 200 and 'value="revoke_keys"' not in page.content.decode()
    assert refused.status_code in (200, 302)
    assert ApiKey.objects.get().revoked_at is None
