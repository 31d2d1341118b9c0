"""API keys are a paid feature (the gating table in settings). On a plan without them
the keys page shows what they do and an upgrade button instead of the form, creating
one is refused whoever asks, and a key made before a downgrade is kept but refused
(403, saying why) until an upgrade brings it back."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from api.models import ApiKey
from api.services import api_key_create
from billing.exceptions import PlanLimitReached
from core.permissions import AUDIT_VIEW
from tenants.services import tenant_rename
from tests.api.conftest import make_key
from tests.billing.factories import subscribe
from tests.tenants.factories import add_member

pytestmark = pytest.mark.django_db

REFUSAL = "The Free plan does not include API keys."


def keys_page(tenant: Any) -> str:
    return f"/t/{tenant.slug}/settings/api-keys/"


def call_api(client: Any, raw: str) -> Any:
    return client.get("/api/v1/members", headers={"Authorization": f"Bearer {raw}"})


def test_the_keys_page_shows_what_keys_do_and_an_upgrade_button_instead_of_the_form(
    billing_on: Any, owner_client: Any, acme: Any
) -> None:
    response = owner_client.get(keys_page(acme))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="upgrade-api_keys"' in page
    assert "Let your own scripts and services call the API" in page
    assert f'href="/t/{acme.slug}/billing/"' in page and ">Upgrade<" in page
    assert "Create key" not in page
    # Never had a key: "keys made before" would mean nothing to it.
    assert "Keys made before" not in page


def test_an_admin_without_billing_rights_is_told_whom_to_ask(
    billing_on: Any, client: Any, acme: Any
) -> None:
    client.force_login(add_member(acme, role_key="admin").user)

    page = client.get(keys_page(acme)).content.decode()

    assert 'data-testid="upgrade-api_keys"' in page
    assert "Ask an owner or billing admin to upgrade." in page


def test_posting_the_key_form_on_a_plan_without_api_keys_is_refused_with_403(
    billing_on: Any, owner_client: Any, acme: Any
) -> None:
    response = owner_client.post(
        keys_page(acme) + "new/", {"name": "Zapier", "scopes": [AUDIT_VIEW], "expires": "30"}
    )

    assert response.status_code == 403
    page = response.content.decode()
    assert REFUSAL in page
    assert f'href="/t/{acme.slug}/billing/"' in page
    assert "pt_live_" not in page
    assert not ApiKey.objects.exists()


def test_the_key_service_itself_refuses_it(billing_on: Any, acme: Any, owner: Any) -> None:
    """The rule lives in api_key_create, so the admin and commands get it too."""
    with pytest.raises(PlanLimitReached, match=REFUSAL):
        api_key_create(tenant=acme, name="Zapier", scopes=[], expires_at=None, acting_user=owner)

    assert not ApiKey.objects.exists()


def test_on_a_paid_plan_the_form_is_there_and_makes_a_working_key(
    billing_on: Any, owner_client: Any, acme: Any
) -> None:
    subscribe(acme, "pro")

    page = owner_client.get(keys_page(acme)).content.decode()
    created = owner_client.post(
        keys_page(acme) + "new/", {"name": "Zapier", "scopes": [AUDIT_VIEW], "expires": "30"}
    )

    assert "Create key" in page and "upgrade-api_keys" not in page
    assert created.status_code == 200
    assert ApiKey.objects.filter(tenant=acme, name="Zapier").exists()


def test_after_a_downgrade_a_key_is_kept_refused_with_the_reason_and_back_after_an_upgrade(
    billing_on: Any, client: Any, owner_client: Any, acme: Any, owner: Any
) -> None:
    subscribe(acme, "pro")
    raw = make_key(acme, owner, [], name="Nightly export")
    assert call_api(client, raw).status_code == 200

    subscribe(acme, "free")
    refused = call_api(client, raw)

    # 403, not 401: the key is right, the plan is what changed; it is not revoked.
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    problem = json.loads(refused.content)
    assert problem["type"].endswith("/plan-limit")
    assert problem["detail"].startswith(REFUSAL)
    assert "works again after an upgrade" in problem["detail"]
    key = ApiKey.objects.get()
    assert key.revoked_at is None
    page = owner_client.get(keys_page(acme)).content.decode()
    assert "Nightly export" in page and ">Revoke<" in page
    assert "Keys made before keep their place here" in page

    subscribe(acme, "pro")
    assert call_api(client, raw).status_code == 200


def test_a_payment_that_failed_does_not_cut_integrations_off(
    billing_on: Any, client: Any, acme: Any, owner: Any
) -> None:
    """past_due is the grace period: the plan, and so its keys, still hold."""
    subscribe(acme, "pro")
    raw = make_key(acme, owner, [])

    subscribe(acme, "pro", status="past_due")

    assert call_api(client, raw).status_code == 200


def test_a_downgraded_organisation_can_still_revoke_its_keys(
    billing_on: Any, owner_client: Any, acme: Any, owner: Any
) -> None:
    subscribe(acme, "pro")
    make_key(acme, owner, [])
    subscribe(acme, "free")
    key = ApiKey.objects.get()

    response = owner_client.post(keys_page(acme) + f"{key.pk}/revoke/")

    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_without_billing_keys_are_not_withheld(
    owner_client: Any, client: Any, acme: Any, owner: Any
) -> None:
    """Billing off (the embedded default): nothing can be bought, so nothing is gated."""
    page = owner_client.get(keys_page(acme)).content.decode()
    raw = make_key(acme, owner, [])

    assert "Create key" in page and "upgrade-api_keys" not in page
    assert call_api(client, raw).status_code == 200


def test_the_audit_log_goes_back_only_as_far_as_the_plan_shows_it(
    billing_on: Any, settings: Any, client: Any, acme: Any, owner: Any
) -> None:
    """The plans are the operator's table: one may sell API keys without full audit
    history. The page then showed 30 days and the API every event, however old."""
    plans = copy.deepcopy(settings.BILLING_PLANS)
    plans["pro"]["features"].remove("audit_history")
    settings.BILLING_PLANS = plans
    subscribe(acme, "pro")
    raw = make_key(acme, owner, [AUDIT_VIEW])
    with time_machine.travel(timezone.now() - timedelta(days=45)):
        tenant_rename(tenant=acme, name="Acme Ancient", acting_user=owner)
    tenant_rename(tenant=acme, name="Acme Recent", acting_user=owner)

    answer = client.get(
        "/api/v1/audit-events",
        {"action": "tenant.renamed", "since": "2000-01-01T00:00:00Z"},
        headers={"Authorization": f"Bearer {raw}"},
    )

    assert answer.status_code == 200
    assert [event["after"]["name"] for event in answer.json()["data"]] == ["Acme Recent"]
