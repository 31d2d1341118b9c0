"""API keys: shown once, stored as a hash, never broader than their creator, revocable."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from api.exceptions import ApiKeyError, ApiKeyScopeError
from api.forms import ApiKeyForm
from api.models import ApiKey
from api.scopes import API_SCOPES
from api.selectors import api_key_for_secret
from api.services import TOUCH_INTERVAL, api_key_revoke, api_key_touch
from core.models import AuditEvent
from core.permissions import API_KEYS_MANAGE, AUDIT_VIEW, BILLING_MANAGE, MEMBERS_MANAGE
from tenants.models import Role
from tests.api.conftest import make_key
from tests.mfa.helpers import age_sign_in
from tests.tenants.factories import add_member, make_role

pytestmark = pytest.mark.django_db

KEY_FORMAT = re.compile(r"^pt_live_[A-Za-z0-9]{12}_[A-Za-z0-9]{32}$")


def test_a_key_has_a_scannable_prefix_and_only_its_hash_is_stored(acme: Any, owner: Any) -> None:
    raw = make_key(acme, owner, [AUDIT_VIEW])
    assert KEY_FORMAT.match(raw)
    key = ApiKey.objects.get()
    secret = raw.rsplit("_", 1)[1]
    assert key.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = " ".join(str(v) for v in ApiKey.objects.values().get().values())
    assert secret not in stored
    assert api_key_for_secret(raw=raw) == key
    assert api_key_for_secret(raw=raw[:-1] + ("A" if raw[-1] != "A" else "B")) is None


def test_the_key_lookup_builds_what_the_orm_builds_in_one_query(
    acme: Any, owner: Any, django_assert_num_queries: Any
) -> None:
    """api_key_for_secret is prebuilt SQL (core/prebuilt_sql.py): the same key, tenant and
    billing account, field for field, as the ORM's select_related, in one statement."""
    raw = make_key(acme, owner, [AUDIT_VIEW])
    orm = ApiKey.objects.select_related("tenant", "tenant__account").get()
    with django_assert_num_queries(1):
        key = api_key_for_secret(raw=raw)
        assert key is not None
        tenant, account = key.tenant, key.tenant.account
    for ours, theirs in ((key, orm), (tenant, orm.tenant), (account, orm.tenant.account)):
        fields = type(theirs)._meta.concrete_fields
        assert [f.value_from_object(ours) for f in fields] == [
            f.value_from_object(theirs) for f in fields
        ]
    assert key.scopes == [AUDIT_VIEW] and key.tenant.slug == acme.slug


def test_a_key_of_a_deleted_organisation_proves_nothing(acme: Any, owner: Any) -> None:
    raw = make_key(acme, owner, [AUDIT_VIEW])
    type(acme).objects.filter(pk=acme.pk).update(deleted_at=timezone.now())
    assert api_key_for_secret(raw=raw) is None
    assert api_key_for_secret(raw="pt_live_" + "A" * 12 + "_" + "B" * 32) is None


def test_a_key_cannot_hold_a_permission_its_creator_lacks(acme: Any) -> None:
    helper = add_member(acme, role=make_role(acme, "Key makers", [API_KEYS_MANAGE, AUDIT_VIEW]))
    make_key(acme, helper.user, [AUDIT_VIEW])
    with pytest.raises(ApiKeyScopeError, match="Manage members"):
        make_key(acme, helper.user, [AUDIT_VIEW, MEMBERS_MANAGE], name="Too strong")
    with pytest.raises(ApiKeyError, match="Unknown scopes"):
        make_key(acme, helper.user, ["everything"], name="Made up")


def test_keys_belong_to_organisations_only(user: Any) -> None:
    with pytest.raises(ApiKeyError, match="organisations"):
        make_key(user.personal_tenant, user, [])


def test_creating_and_revoking_are_audited(acme: Any, owner: Any) -> None:
    make_key(acme, owner, [AUDIT_VIEW], name="Exporter")
    key = ApiKey.objects.get()
    api_key_revoke(tenant=acme, key=key, acting_user=owner, acting_role=None)
    actions = list(
        AuditEvent.objects.for_tenant(acme)
        .filter(action__startswith="api_key.")
        .order_by("pk")
        .values_list("action", "target_label", "actor")
    )
    assert actions == [
        ("api_key.created", "Exporter", owner.pk),
        ("api_key.revoked", "Exporter", owner.pk),
    ]


def test_last_use_is_written_at_most_once_per_interval(acme: Any, owner: Any) -> None:
    make_key(acme, owner, [])
    key = ApiKey.objects.get()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert api_key_touch(key=key, ip="203.0.113.9") is True
    with time_machine.travel(start + TOUCH_INTERVAL - timedelta(seconds=1), tick=False):
        assert api_key_touch(key=key, ip="203.0.113.10") is False
    with time_machine.travel(start + TOUCH_INTERVAL, tick=False):
        assert api_key_touch(key=key, ip="203.0.113.11") is True
    key.refresh_from_db()
    assert key.last_used_ip == "203.0.113.11"


# --- The page ---------------------------------------------------------------------


def test_the_page_shows_a_new_key_once_after_reauthentication(
    client: Any, acme: Any, owner: Any
) -> None:
    client.force_login(owner)
    url = f"/t/{acme.slug}/settings/api-keys/"
    data = {"name": "Zapier", "scopes": [AUDIT_VIEW], "expires": "30"}
    age_sign_in(owner)
    stale = client.post(url + "new/", data)
    assert stale.status_code == 307
    assert stale["Location"].startswith("/auth/confirm/?next=")
    assert not ApiKey.objects.exists()
    client.force_login(owner)  # a fresh sign-in counts as a recent authentication
    created = client.post(url + "new/", data)
    assert created.status_code == 200
    raw = re.search(r"pt_live_[A-Za-z0-9]{12}_[A-Za-z0-9]{32}", created.content.decode())
    assert raw is not None
    assert "no-store" in created["Cache-Control"]
    listing = client.get(url).content.decode()
    assert raw.group(0) not in listing
    assert ApiKey.objects.get().prefix in listing


def test_the_page_offers_only_the_creators_permissions(client: Any, acme: Any) -> None:
    helper = add_member(acme, role=make_role(acme, "Key makers", [API_KEYS_MANAGE, AUDIT_VIEW]))
    client.force_login(helper.user)
    page = client.get(f"/t/{acme.slug}/settings/api-keys/").content.decode()
    assert f'value="{AUDIT_VIEW}"' in page
    assert f'value="{MEMBERS_MANAGE}"' not in page
    forged = client.post(
        f"/t/{acme.slug}/settings/api-keys/new/",
        {"name": "Forged", "scopes": [MEMBERS_MANAGE], "expires": "never"},
    )
    assert forged.status_code == 400
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize(("expires", "days"), [("never", None), ("90", 90)])
def test_the_page_makes_a_key_that_never_expires_or_expires_when_chosen(
    client: Any, acme: Any, owner: Any, expires: str, days: int | None
) -> None:
    """Every choice the form offers can be saved: "Never" used to be refused as no choice."""
    client.force_login(owner)
    page = client.get(f"/t/{acme.slug}/settings/api-keys/").content.decode()
    assert f'<option value="{expires}"' in page

    created = client.post(
        f"/t/{acme.slug}/settings/api-keys/new/",
        {"name": "Nightly export", "scopes": [], "expires": expires},
    )

    assert created.status_code == 200
    key = ApiKey.objects.get()
    if days is None:
        assert key.expires_at is None
    else:
        assert key.expires_at is not None
        assert (key.expires_at - timezone.now()).days == days - 1


def test_a_taken_name_is_said_beside_the_name_field(client: Any, acme: Any, owner: Any) -> None:
    """It was a form-wide error: the Name field was neither marked invalid nor described
    by it (duplicate role and team names are)."""
    client.force_login(owner)
    new = f"/t/{acme.slug}/settings/api-keys/new/"
    client.post(new, {"name": "CI deploy", "scopes": [], "expires": "90"})

    again = client.post(new, {"name": "CI deploy", "scopes": [], "expires": "90"})

    page = again.content.decode()
    field = re.search(r'<input[^>]*name="name"[^>]*>', page)
    assert field and 'aria-invalid="true"' in field.group(0), page
    assert "id_name_error" in field.group(0)
    assert re.search(r"id=\"id_name_error\"><p>A key named “CI deploy” already exists", page)
    assert ApiKey.objects.count() == 1


def test_members_without_the_permission_get_403(client: Any, acme: Any) -> None:
    client.force_login(add_member(acme).user)
    assert client.get(f"/t/{acme.slug}/settings/api-keys/").status_code == 403


def test_revoking_on_the_page(client: Any, acme: Any, owner: Any) -> None:
    make_key(acme, owner, [], expires_at=datetime(2031, 3, 6, tzinfo=UTC))
    key = ApiKey.objects.get()
    client.force_login(owner)
    response = client.post(f"/t/{acme.slug}/settings/api-keys/{key.pk}/revoke/")
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    # Its row says when it stopped working, not the date it would have expired.
    row = client.get(f"/t/{acme.slug}/settings/api-keys/").content.decode()
    assert 'data-testid="key-revoked-on"' in row
    assert "6 March 2031" not in row  # the date it would have expired


def test_a_member_cannot_revoke_an_owners_key_that_holds_more_than_their_role(
    client: Any, acme: Any, owner: Any
) -> None:
    """The attack: someone allowed to manage keys, whose role lacks what the owner's
    integration does, stopped it with one POST (nobody changes what a more powerful
    member holds)."""
    raw = make_key(acme, owner, [MEMBERS_MANAGE, AUDIT_VIEW])
    theirs = ApiKey.objects.get()
    keeper = add_member(acme, role=make_role(acme, "Key keeper", [API_KEYS_MANAGE, AUDIT_VIEW]))
    make_key(acme, keeper.user, [AUDIT_VIEW], name="Keeper's")
    own = ApiKey.objects.get(name="Keeper's")
    client.force_login(keeper.user)

    page = client.get(f"/t/{acme.slug}/settings/api-keys/").content.decode()
    refused = client.post(f"/t/{acme.slug}/settings/api-keys/{theirs.pk}/revoke/", follow=True)
    allowed = client.post(f"/t/{acme.slug}/settings/api-keys/{own.pk}/revoke/")

    assert page.count('data-testid="key-beyond-reach"') == 1
    assert f"/api-keys/{theirs.pk}/revoke/" not in page
    assert f"/api-keys/{own.pk}/revoke/" in page
    assert "can revoke it" in refused.content.decode()
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert api_key_for_secret(raw=raw) is not None
    assert not AuditEvent.objects.filter(action="api_key.revoked", target_id=str(theirs.pk))
    assert allowed.status_code == 302
    own.refresh_from_db()
    assert own.revoked_at is not None


def test_a_role_with_no_permission_a_key_carries_is_told_its_keys_only_read(
    client: Any, acme: Any
) -> None:
    keeper = add_member(acme, role=make_role(acme, "Key keeper", [API_KEYS_MANAGE]))
    client.force_login(keeper.user)

    page = " ".join(client.get(f"/t/{acme.slug}/settings/api-keys/").content.decode().split())

    assert "Your role has none of the permissions a key can carry" in page
    assert 'name="scopes"' not in page


def test_a_role_holding_every_permission_of_a_key_may_revoke_it_and_one_short_may_not(
    acme: Any, owner: Any
) -> None:
    make_key(acme, owner, [AUDIT_VIEW], name="Narrow")
    make_key(acme, owner, [MEMBERS_MANAGE], name="Wide")
    role = make_role(acme, "Auditor keys", [API_KEYS_MANAGE, AUDIT_VIEW])
    auditor = add_member(acme, role=role).user
    narrow, wide = ApiKey.objects.get(name="Narrow"), ApiKey.objects.get(name="Wide")

    api_key_revoke(tenant=acme, key=narrow, acting_user=auditor, acting_role=role)
    with pytest.raises(ApiKeyScopeError):
        api_key_revoke(tenant=acme, key=wide, acting_user=auditor, acting_role=role)

    narrow.refresh_from_db()
    wide.refresh_from_db()
    assert narrow.revoked_at is not None
    assert wide.revoked_at is None


# --- What a key may hold --------------------------------------------------------------


def test_a_key_may_hold_exactly_the_permissions_some_operation_needs(client: Any) -> None:
    """A key with "Manage billing" would do nothing more (no operation asks for it) while
    the keys page said it held it: the scopes on offer are those the routes declare."""
    schema = client.get("/api/v1/openapi.json").json()
    needed = {
        scope
        for operations in schema["paths"].values()
        for operation in operations.values()
        for requirement in operation.get("security", [])
        for scope in requirement.get("KeyBearer", [])
    }

    assert set(API_SCOPES) == needed


def test_the_form_offers_an_owner_only_the_apis_permissions(acme: Any, owner: Any) -> None:
    form = ApiKeyForm(tenant=acme, user=owner, role=Role.objects.get(tenant=acme, key="owner"))

    offered = [code for code, _ in form.fields["scopes"].choices]

    assert offered == list(API_SCOPES)
    assert BILLING_MANAGE not in offered and API_KEYS_MANAGE not in offered


def test_a_permission_no_operation_needs_is_refused_even_to_an_owner(acme: Any, owner: Any) -> None:
    with pytest.raises(ApiKeyError, match=f"Unknown scopes: {BILLING_MANAGE}"):
        make_key(acme, owner, [AUDIT_VIEW, BILLING_MANAGE], name="Forged")
    assert not ApiKey.objects.exists()
