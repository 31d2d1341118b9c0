"""The directory speaks only for addresses on domains its organisation verified: a
token holder cannot create, claim or rename people to another company's addresses.
Members already in the organisation on other domains are still linked and
deprovisioned."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import User
from scim.models import ScimUser
from sso.models import Domain
from tenants.models import Membership
from tests.accounts.factories import UserFactory
from tests.scim.conftest import PATCH_SCHEMA, ScimClient, new_user, verified_domain
from tests.tenants.factories import OrgFactory, add_member

pytestmark = pytest.mark.django_db(transaction=True)

DEACTIVATE = {
    "schemas": [PATCH_SCHEMA],
    "Operations": [{"op": "replace", "value": {"active": False}}],
}


def _refused(response: Any, address: str) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["scimType"] == "invalidValue"
    assert f"{address} is not on a domain this organisation has verified" in body["detail"]


def test_provisioning_an_address_on_an_unverified_domain_creates_nothing(
    scim: ScimClient, acme: Any
) -> None:
    """The attack: Acme's token tries to create (and so squat) an account for a bank's
    employee, who has none yet."""
    response = scim.post("/Users", new_user("ceo@bank.example"))

    _refused(response, "ceo@bank.example")
    assert not User.objects.filter(email="ceo@bank.example").exists()
    assert not ScimUser.objects.filter(tenant=acme).exists()
    assert Membership.objects.filter(tenant=acme).count() == 1  # the owner


def test_a_domain_another_organisation_verified_is_not_this_one_s(
    scim: ScimClient, acme: Any
) -> None:
    verified_domain(OrgFactory(), "bank.example")

    _refused(scim.post("/Users", new_user("ceo@bank.example")), "ceo@bank.example")
    assert not User.objects.filter(email="ceo@bank.example").exists()


def test_every_stated_address_counts_not_only_the_sign_in_one(scim: ScimClient) -> None:
    """userName on the verified domain, but the IdP also states a foreign address."""
    body = new_user(
        "ada@corp.example",
        emails=[
            {"value": "ada@corp.example", "primary": True},
            {"value": "ceo@bank.example", "type": "other"},
        ],
    )
    not_an_address = new_user("ada", emails=[{"value": "ceo@bank.example", "primary": True}])

    _refused(scim.post("/Users", body), "ceo@bank.example")
    _refused(scim.post("/Users", not_an_address), "ceo@bank.example")
    assert not User.objects.filter(email__in=["ada@corp.example", "ceo@bank.example"]).exists()


def test_renaming_a_user_to_an_unverified_address_is_refused(scim: ScimClient, acme: Any) -> None:
    """PUT and PATCH cannot move a provisioned person onto a foreign address."""
    ada = scim.post("/Users", new_user("ada@corp.example")).json()

    put = scim.put(f"/Users/{ada['id']}", new_user("ceo@bank.example"))
    patch = scim.patch(
        f"/Users/{ada['id']}",
        {
            "schemas": [PATCH_SCHEMA],
            "Operations": [
                {"op": "replace", "path": 'emails[type eq "work"].value', "value": "x@bank.example"}
            ],
        },
    )
    user_name = scim.patch(
        f"/Users/{ada['id']}",
        {
            "schemas": [PATCH_SCHEMA],
            "Operations": [{"op": "replace", "path": "userName", "value": "ceo@bank.example"}],
        },
    )

    _refused(put, "ceo@bank.example")
    _refused(patch, "x@bank.example")
    _refused(user_name, "ceo@bank.example")
    stored = scim.get(f"/Users/{ada['id']}").json()
    assert stored["userName"] == "ada@corp.example"
    assert [e["value"] for e in stored["emails"]] == ["ada@corp.example"]
    assert not User.objects.filter(email__endswith="@bank.example").exists()


def test_renaming_within_the_verified_domains_is_allowed(scim: ScimClient) -> None:
    ada = scim.post("/Users", new_user("ada@corp.example")).json()

    answer = scim.put(f"/Users/{ada['id']}", new_user("augusta@corp.example"))

    assert answer.status_code == 200, answer.text


def test_a_member_on_another_domain_is_linked_updated_and_deprovisioned(
    scim: ScimClient, acme: Any
) -> None:
    """Someone the owner invited by hand (any domain) is already Acme's to manage."""
    contractor = add_member(acme, UserFactory(email="sam@freelance.example"))

    created = scim.post("/Users", new_user("sam@freelance.example"))
    assert created.status_code == 201, created.text
    scim_id = created.json()["id"]
    replaced = scim.put(f"/Users/{scim_id}", new_user("sam@freelance.example", displayName="S"))
    deactivated = scim.patch(f"/Users/{scim_id}", DEACTIVATE)

    assert replaced.status_code == 200, replaced.text
    assert deactivated.status_code == 200 and deactivated.json()["active"] is False
    contractor.refresh_from_db()
    assert contractor.suspended_at is not None


def test_a_lapsed_domain_verification_never_blocks_deprovisioning(
    scim: ScimClient, acme: Any, corp_domain: Domain
) -> None:
    """The daily DNS re-check may drop corp.example: what the IdP stated before stays
    acceptable, so PUT and `active: false` still work."""
    ada = scim.post("/Users", new_user("ada@corp.example")).json()
    corp_domain.verified_at = None
    corp_domain.save(update_fields=["verified_at"])

    replaced = scim.put(f"/Users/{ada['id']}", new_user("ada@corp.example", active=False))

    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["active"] is False
    assert Membership.objects.get(tenant=acme, user__email="ada@corp.example").suspended_at
