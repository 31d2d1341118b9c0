"""The request sequences Okta and Microsoft Entra ID send, replayed over HTTP with the
bodies their SCIM documentation shows (Okta: "SCIM 2.0 protocol reference"; Entra ID:
"Develop and plan provisioning for a SCIM endpoint", including the `"op": "Replace"`
with `"value": "False"` that Entra ID sends without the `aadOptscim062020` flag).

Changes from the documents: addresses on `okta.local` become `okta-customer.example`
(`.local` is a multicast-DNS name that email validation refuses), Entra ID's updated
address `updatedEmail@microsoft.com` is on the organisation's verified `testuser.com`
(the directory refuses addresses on domains the organisation has not verified), and
ids are the ones our answers gave.
"""

from __future__ import annotations

from typing import Any

import pytest

from tenants.models import Membership, Team
from tests.accounts.factories import UserFactory
from tests.scim.conftest import (
    GROUP_SCHEMA,
    PATCH_SCHEMA,
    USER_SCHEMA,
    ScimClient,
    signed_in,
    verified_domain,
)

pytestmark = pytest.mark.django_db(transaction=True)

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json() if response.content else {}


def test_okta_provisions_updates_groups_and_deactivates(
    scim: ScimClient, scim_site: str, acme: Any
) -> None:
    email = "test.user@okta-customer.example"
    UserFactory(email=email)  # already has an account: will sign in before deactivation
    verified_domain(acme, "okta-customer.example")  # existing accounts link only there
    lookup = _ok(
        scim.get(
            "/Users", params={"filter": f'userName eq "{email}"', "startIndex": 1, "count": 100}
        )
    )
    assert lookup["totalResults"] == 0

    created = _ok(
        scim.post(
            "/Users",
            {
                "schemas": [USER_SCHEMA],
                "userName": email,
                "name": {"givenName": "Test", "familyName": "User"},
                "emails": [{"primary": True, "value": email, "type": "work"}],
                "displayName": "Test User",
                "locale": "en-US",
                "externalId": "00ujl29u0le5T6Aj10h7",
                "groups": [],
                "password": "1mz050nq",
                "active": True,
            },
        ),
        201,
    )
    user_id = created["id"]
    assert _ok(scim.get(f"/Users/{user_id}"))["userName"] == email

    updated = _ok(
        scim.put(
            f"/Users/{user_id}",
            {
                "schemas": [USER_SCHEMA],
                "id": user_id,
                "userName": email,
                "name": {"givenName": "Another", "familyName": "User"},
                "emails": [{"primary": True, "value": email, "type": "work"}],
                "displayName": "Another User",
                "locale": "en-US",
                "externalId": "00u1dhhb1fkIGP7RL1d8",
                "groups": [],
                "password": "1mz050nq",
                "active": True,
                "meta": {
                    "resourceType": "User",
                    "created": "2010-01-23T04:56:22Z",
                    "lastModified": "2011-05-13T04:42:34Z",
                },
            },
        )
    )
    assert updated["name"]["givenName"] == "Another"

    group = _ok(
        scim.post(
            "/Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Test SCIMv2", "members": []}
        ),
        201,
    )
    group_id = group["id"]
    renamed = _ok(
        scim.patch(
            f"/Groups/{group_id}",
            {
                "schemas": [PATCH_SCHEMA],
                "Operations": [
                    {
                        "op": "replace",
                        "value": {"id": group_id, "displayName": "Another Test SCIMv2"},
                    }
                ],
            },
        )
    )
    added = _ok(
        scim.patch(
            f"/Groups/{group_id}",
            {
                "schemas": [PATCH_SCHEMA],
                "Operations": [
                    {
                        "op": "add",
                        "path": "members",
                        "value": [{"value": user_id, "display": email}],
                    }
                ],
            },
        )
    )
    team = Team.objects.get(tenant=acme, name="Another Test SCIMv2")
    assert renamed["displayName"] == "Another Test SCIMv2"
    assert [m["value"] for m in added["members"]] == [user_id]
    assert [m.user.email for m in team.members.all()] == [email]
    listed = _ok(scim.get(f"/Groups/{group_id}", params={"excludedAttributes": "members"}))
    assert "members" not in listed

    removed = _ok(
        scim.patch(
            f"/Groups/{group_id}",
            {
                "schemas": [PATCH_SCHEMA],
                "Operations": [{"op": "remove", "path": f'members[value eq "{user_id}"]'}],
            },
        )
    )
    assert not removed.get("members") and not team.members.exists()

    browser = signed_in(scim_site, email)
    assert browser.get(f"{scim_site}/t/{acme.slug}/", timeout=10).status_code == 200
    deactivated = _ok(
        scim.patch(
            f"/Users/{user_id}",
            {
                "schemas": [PATCH_SCHEMA],
                "Operations": [{"op": "replace", "value": {"active": False}}],
            },
        )
    )
    assert deactivated["active"] is False
    page = browser.get(f"{scim_site}/t/{acme.slug}/", timeout=10, allow_redirects=False)
    assert page.status_code == 302

    assert scim.delete(f"/Groups/{group_id}").status_code == 204
    assert not Team.objects.filter(pk=team.pk).exists()


def test_entra_id_provisions_updates_groups_disables_and_deletes(
    scim: ScimClient, scim_site: str, acme: Any
) -> None:
    user_name = "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1"
    email = "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com"
    UserFactory(email=email.lower())
    verified_domain(acme, "testuser.com")
    missing = _ok(scim.get("/Users", params={"filter": f'userName eq "{user_name}"'}))
    assert missing["totalResults"] == 0

    created = _ok(
        scim.post(
            "/Users",
            {
                "schemas": [USER_SCHEMA, ENTERPRISE],
                "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
                "userName": user_name,
                "active": True,
                "emails": [{"primary": True, "type": "work", "value": email}],
                "meta": {"resourceType": "User"},
                "name": {
                    "formatted": "givenName familyName",
                    "familyName": "familyName",
                    "givenName": "givenName",
                },
                "roles": [],
            },
        ),
        201,
    )
    user_id = created["id"]
    assert _ok(scim.get(f"/Users/{user_id}"))["userName"] == user_name
    found = _ok(scim.get("/Users", params={"filter": f'userName eq "{user_name}"'}))
    assert [u["id"] for u in found["Resources"]] == [user_id]
    nobody = _ok(scim.get("/Users", params={"filter": 'userName eq "non-existent user"'}))
    assert nobody["totalResults"] == 0

    patched = _ok(
        scim.patch(
            f"/Users/{user_id}",
            {
                "schemas": [PATCH_SCHEMA],
                "Operations": [
                    {
                        "op": "Replace",
                        "path": 'emails[type eq "work"].value',
                        "value": "updatedEmail@testuser.com",
                    },
                    {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"},
                ],
            },
        )
    )
    assert patched["name"]["familyName"] == "updatedFamilyName"
    assert patched["emails"][0]["value"].lower() == "updatedemail@testuser.com"

    group = _ok(
        scim.post(
            "/Groups",
            {
                "schemas": [
                    GROUP_SCHEMA,
                    "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group",
                ],
                "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
                "displayName": "displayName",
                "meta": {"resourceType": "Group"},
            },
        ),
        201,
    )
    group_id = group["id"]
    by_name = _ok(
        scim.get(
            "/Groups",
            params={"excludedAttributes": "members", "filter": 'displayName eq "displayName"'},
        )
    )
    assert [g["id"] for g in by_name["Resources"]] == [group_id]
    _ok(
        scim.patch(
            f"/Groups/{group_id}",
            {
                "schemas": [PATCH_SCHEMA],
                "Operations": [
                    {"op": "Replace", "path": "displayName", "value": "displayNameUpdated"}
                ],
            },
        )
    )
    added = _ok(
        scim.patch(
            f"/Groups/{group_id}",
            {
                "schemas": [PATCH_SCHEMA],
                "Operations": [
                    {"op": "Add", "path": "members", "value": [{"$ref": None, "value": user_id}]}
                ],
            },
        )
    )
    team = Team.objects.get(tenant=acme, name="displayNameUpdated")
    assert [m["value"] for m in added["members"]] == [user_id]
    assert team.members.count() == 1
    _ok(
        scim.patch(
            f"/Groups/{group_id}",
            {
                "schemas": [PATCH_SCHEMA],
                "Operations": [
                    {"op": "Remove", "path": "members", "value": [{"$ref": None, "value": user_id}]}
                ],
            },
        )
    )
    assert team.members.count() == 0

    browser = signed_in(scim_site, email.lower())
    assert browser.get(f"{scim_site}/t/{acme.slug}/", timeout=10).status_code == 200
    disabled = _ok(
        scim.patch(
            f"/Users/{user_id}",
            {
                "schemas": [PATCH_SCHEMA],
                "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
            },
        )
    )
    assert disabled["active"] is False
    page = browser.get(f"{scim_site}/t/{acme.slug}/", timeout=10, allow_redirects=False)
    assert page.status_code == 302
    membership = Membership.objects.get(tenant=acme, user__email=email.lower())
    assert membership.suspended_at is not None

    assert scim.delete(f"/Users/{user_id}").status_code == 204
    assert scim.get(f"/Users/{user_id}").status_code == 404
    assert scim.delete(f"/Groups/{group_id}").status_code == 204
