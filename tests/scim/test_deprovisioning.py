"""Deprovisioning ends a person's access at once: from the answer to the IdP's
`PATCH active=false` (or DELETE), their very next request in the organisation is
refused, and the sessions working in it are revoked. Measured with a person's real
signed-in client against the live server, never waited for."""

from __future__ import annotations

from typing import Any

import pytest

from sessions_app.models import Session
from sso.crypto import client_secret_encrypt
from sso.models import Connection
from tests.accounts.factories import UserFactory
from tests.scim.conftest import PATCH_SCHEMA, ScimClient, new_user, signed_in
from tests.tenants.factories import OrgFactory

pytestmark = pytest.mark.django_db(transaction=True)

DEACTIVATE = {
    "schemas": [PATCH_SCHEMA],
    "Operations": [{"op": "replace", "value": {"active": False}}],
}
REACTIVATE = {
    "schemas": [PATCH_SCHEMA],
    "Operations": [{"op": "replace", "path": "active", "value": True}],
}


@pytest.fixture
def ada(scim: ScimClient) -> tuple[Any, str]:
    """Ada, an existing account provisioned into Acme by the IdP."""
    user = UserFactory(email="ada@corp.example")
    created = scim.post("/Users", new_user(user.email)).json()
    return user, created["id"]


def test_the_next_request_after_patch_active_false_is_refused(
    scim: ScimClient, scim_site: str, acme: Any, ada: tuple[Any, str]
) -> None:
    user, scim_id = ada
    browser = signed_in(scim_site, user.email)
    page = f"{scim_site}/t/{acme.slug}/"
    assert browser.get(page, timeout=10, allow_redirects=False).status_code == 200

    answer = scim.patch(f"/Users/{scim_id}", DEACTIVATE)
    after = browser.get(page, timeout=10, allow_redirects=False)

    assert answer.status_code == 200 and answer.json()["active"] is False
    assert after.status_code == 302  # the session working in Acme is gone: signed out
    assert "/auth/sign-in/" in after.headers["Location"]
    revoked = Session.objects.get(user=user)
    assert revoked.revoked_reason == Session.RevokedReason.DEPROVISIONED


def test_delete_refuses_the_next_request_too(
    scim: ScimClient, scim_site: str, acme: Any, ada: tuple[Any, str]
) -> None:
    user, scim_id = ada
    browser = signed_in(scim_site, user.email)
    page = f"{scim_site}/t/{acme.slug}/members/"
    assert browser.get(page, timeout=10, allow_redirects=False).status_code == 200

    assert scim.delete(f"/Users/{scim_id}").status_code == 204

    assert browser.get(page, timeout=10, allow_redirects=False).status_code == 302


def test_sessions_in_other_workspaces_survive_unless_sso_is_required(
    scim: ScimClient, scim_site: str, acme: Any, ada: tuple[Any, str]
) -> None:
    """Sessions have one tie to a tenant, the one they work in: Ada's session in her
    personal workspace keeps working; the one in Acme is revoked."""
    user, scim_id = ada
    in_acme = signed_in(scim_site, user.email)
    in_acme.get(f"{scim_site}/t/{acme.slug}/", timeout=10)
    elsewhere = signed_in(scim_site, user.email)
    personal = f"{scim_site}/t/{user.personal_tenant.slug}/"
    elsewhere.get(personal, timeout=10)

    scim.patch(f"/Users/{scim_id}", DEACTIVATE)

    assert elsewhere.get(personal, timeout=10, allow_redirects=False).status_code == 200
    assert in_acme.get(personal, timeout=10, allow_redirects=False).status_code == 302


def test_every_session_ends_when_the_org_requires_sso_for_the_person(
    scim: ScimClient, scim_site: str, acme: Any, ada: tuple[Any, str]
) -> None:
    """Acme verified corp.example and requires SSO there: Ada's account is the IdP's,
    so deprovisioning ends her sessions everywhere, not only those working in Acme."""
    user, scim_id = ada
    elsewhere = signed_in(scim_site, user.email)
    Connection.objects.create(
        tenant=acme,
        issuer="https://idp.corp.example",
        client_id="pacetrack",
        client_secret_encrypted=client_secret_encrypt("s"),
        default_role=acme.roles.get(key="member"),
        require_sso=True,
    )
    personal = f"{scim_site}/t/{user.personal_tenant.slug}/"

    scim.patch(f"/Users/{scim_id}", DEACTIVATE)

    assert elsewhere.get(personal, timeout=10, allow_redirects=False).status_code == 302


def test_an_existing_account_off_the_verified_domains_is_not_linked(
    scim: ScimClient, acme: Any
) -> None:
    """A token holder cannot pull somebody else's account into their organisation."""
    outsider = UserFactory(email="victim@elsewhere.example")

    response = scim.post("/Users", new_user(outsider.email))

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidValue"
    assert not acme.memberships.filter(user=outsider).exists()


def test_reactivation_restores_the_membership_with_its_role(
    scim: ScimClient, scim_site: str, acme: Any, ada: tuple[Any, str]
) -> None:
    user, scim_id = ada
    membership = acme.memberships.get(user=user)
    membership.role = acme.roles.get(key="admin")
    membership.save()
    scim.patch(f"/Users/{scim_id}", DEACTIVATE)

    answer = scim.patch(f"/Users/{scim_id}", REACTIVATE)
    browser = signed_in(scim_site, user.email)

    assert answer.json()["active"] is True
    membership.refresh_from_db()
    assert membership.suspended_at is None and membership.role.key == "admin"
    assert browser.get(f"{scim_site}/t/{acme.slug}/", timeout=10).status_code == 200


def test_a_suspended_member_keeps_other_organisations(
    scim: ScimClient, scim_site: str, acme: Any, ada: tuple[Any, str], owner: Any
) -> None:
    user, scim_id = ada
    from tests.tenants.factories import add_member

    globex = OrgFactory(owner=owner, name="Globex")
    add_member(globex, user)
    scim.patch(f"/Users/{scim_id}", DEACTIVATE)

    browser = signed_in(scim_site, user.email)

    assert browser.get(f"{scim_site}/t/{globex.slug}/", timeout=10).status_code == 200
    assert browser.get(f"{scim_site}/t/{acme.slug}/", timeout=10).status_code == 404


def test_the_only_active_owner_is_never_suspended(scim: ScimClient, acme: Any, owner: Any) -> None:
    owner_id = scim.post("/Users", new_user(owner.email)).json()["id"]

    answer = scim.patch(f"/Users/{owner_id}", DEACTIVATE)

    assert answer.status_code == 400
    assert "only active owner" in answer.json()["detail"]
    assert acme.memberships.get(user=owner).suspended_at is None


def test_deprovisioning_is_audited(
    scim: ScimClient, scim_site: str, acme: Any, ada: tuple[Any, str]
) -> None:
    user, scim_id = ada
    signed_in(scim_site, user.email).get(f"{scim_site}/t/{acme.slug}/", timeout=10)

    scim.patch(f"/Users/{scim_id}", DEACTIVATE)
    scim.patch(f"/Users/{scim_id}", REACTIVATE)

    events = list(acme.audit_events.order_by("pk"))
    actions = [e.action for e in events]
    assert actions[-3:] == ["member.suspended", "scim.user_deprovisioned", "member.reactivated"]
    assert events[-2].after == {"sessions_ended": 1, "everywhere": False}
