"""The SCIM endpoints over HTTP: discovery, users, groups, filters, pagination and the
SCIM error format (RFC 7644 §3.12), as an identity provider calls them."""

from __future__ import annotations

from typing import Any

import pytest

from core.models import AuditEvent
from scim.models import ScimUser
from tenants.models import Membership, Team
from tests.scim.conftest import (
    ERROR_SCHEMA,
    GROUP_SCHEMA,
    LIST_SCHEMA,
    PATCH_SCHEMA,
    SCIM_JSON,
    ScimClient,
    new_user,
)
from tests.tenants.factories import OrgFactory, add_member

pytestmark = pytest.mark.django_db(transaction=True)


def _error(response: Any, status: int, scim_type: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == SCIM_JSON
    body = response.json()
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == str(status)
    assert body.get("scimType") == scim_type
    return body


# --- Discovery -----------------------------------------------------------------------


def test_discovery_describes_users_groups_patch_and_filter(scim: ScimClient) -> None:
    config = scim.get("/ServiceProviderConfig").json()
    types = scim.get("/ResourceTypes").json()
    schemas = scim.get("/Schemas").json()

    assert config["patch"]["supported"] is True and config["filter"]["supported"] is True
    assert config["bulk"]["supported"] is False
    assert config["authenticationSchemes"][0]["type"] == "oauthbearertoken"
    assert {t["endpoint"] for t in types["Resources"]} == {"/Users", "/Groups"}
    assert {s["id"] for s in schemas["Resources"]} == {
        "urn:ietf:params:scim:schemas:core:2.0:User",
        GROUP_SCHEMA,
    }
    user_schema = scim.get("/Schemas/urn:ietf:params:scim:schemas:core:2.0:User").json()
    # Only what is kept is announced; every account has an address.
    assert {a["name"] for a in user_schema["attributes"]} == {
        "userName",
        "name",
        "displayName",
        "active",
        "emails",
    }
    assert next(a for a in user_schema["attributes"] if a["name"] == "emails")["required"]
    assert scim.get("/ResourceTypes/User").json()["schema"].endswith(":User")


# --- Users ---------------------------------------------------------------------------


def test_creating_a_user_adds_a_member_with_the_member_role(scim: ScimClient, acme: Any) -> None:
    response = scim.post("/Users", new_user("ada@corp.example", externalId="00u1"))

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["userName"] == "ada@corp.example" and body["active"] is True
    assert body["externalId"] == "00u1"
    assert response.headers["Location"] == body["meta"]["location"]
    membership = Membership.objects.get(tenant=acme, user__email="ada@corp.example")
    assert membership.role.key == "member" and membership.suspended_at is None
    assert not membership.user.has_usable_password()
    assert scim.get(f"/Users/{body['id']}").json()["name"]["familyName"] == "Lovelace"
    # A directory sync has no person as its actor, and nobody invited them.
    joined = AuditEvent.objects.get(tenant=acme, action="member.joined")
    assert (joined.actor, joined.after) == (None, {"role": "Member"})


def test_a_second_create_for_the_same_user_name_is_a_uniqueness_conflict(
    scim: ScimClient,
) -> None:
    assert scim.post("/Users", new_user("ada@corp.example")).status_code == 201

    _error(scim.post("/Users", new_user("ADA@corp.example")), 409, "uniqueness")


def test_an_existing_member_is_linked_not_duplicated(scim: ScimClient, acme: Any) -> None:
    member = add_member(acme)

    response = scim.post("/Users", new_user(member.user.email))

    assert response.status_code == 201
    assert ScimUser.objects.get(scim_id=response.json()["id"]).membership == member


def test_list_filters_by_user_name_and_pages(scim: ScimClient) -> None:
    for n in range(5):
        assert scim.post("/Users", new_user(f"p{n}@corp.example")).status_code == 201

    found = scim.get("/Users", params={"filter": 'userName eq "P3@corp.example"'}).json()
    none = scim.get("/Users", params={"filter": 'userName eq "nobody@corp.example"'}).json()
    page = scim.get("/Users", params={"startIndex": 2, "count": 2}).json()

    assert found["schemas"] == [LIST_SCHEMA]
    assert found["totalResults"] == 1 and found["Resources"][0]["userName"] == "p3@corp.example"
    assert none["totalResults"] == 0 and none.get("Resources", []) == []
    assert page["totalResults"] == 5 and page["startIndex"] == 2 and page["itemsPerPage"] == 2
    assert [u["userName"] for u in page["Resources"]] == ["p1@corp.example", "p2@corp.example"]


def test_other_filters_are_evaluated_too(scim: ScimClient) -> None:
    scim.post("/Users", new_user("a@corp.example", externalId="x-1"))
    scim.post("/Users", new_user("b@corp.example", externalId="x-2"))

    found = scim.get("/Users", params={"filter": 'externalId eq "x-2" or userName sw "zz"'})

    assert [u["userName"] for u in found.json()["Resources"]] == ["b@corp.example"]


def test_a_filter_longer_than_any_idp_sends_is_refused_before_it_is_parsed(
    scim: ScimClient,
) -> None:
    """An attack posted a 139 KB filter to /.search, parsed and matched in Python
    against every row."""
    long_filter = " or ".join(f'userName eq "u{n}@corp.example"' for n in range(2000))

    refused = scim.post(
        "/Users/.search",
        {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": long_filter},
    )

    assert refused.status_code == 400
    assert refused.json()["scimType"] == "invalidFilter"
    assert "at most 2000 characters" in refused.json()["detail"]


def test_a_user_with_more_emails_than_a_person_has_is_refused_before_any_lookup(
    scim: ScimClient, acme: Any
) -> None:
    """An attack sent 20,000 addresses on the verified domain: 21 s of one worker, one
    domain lookup each, every one stored and returned on each read."""
    emails = [{"value": f"a{n}@corp.example"} for n in range(21)]

    refused = scim.post("/Users", new_user("a@corp.example", emails=emails))
    accepted = scim.post("/Users", new_user("a@corp.example", emails=emails[:20]))

    assert refused.status_code == 400 and refused.json()["scimType"] == "invalidValue"
    assert refused.json()["detail"] == "A person may have at most 20 emails; 21 were sent."
    assert accepted.status_code == 201, accepted.text


def test_an_email_type_longer_than_any_label_is_refused_not_stored(
    scim: ScimClient, acme: Any
) -> None:
    """An attack put twenty 120,000-character types on one person: 2.4 MB stored and
    returned on every read of the list, outside any storage cap."""
    user = scim.post("/Users", new_user("ada@corp.example")).json()
    long_type = [{"value": "ada@corp.example", "type": "A" * 65, "primary": True}]

    refused = scim.put(f"/Users/{user['id']}", new_user("ada@corp.example", emails=long_type))
    created = scim.post("/Users", new_user("bo@corp.example", emails=long_type))
    work = [{"value": "ada@corp.example", "type": "work", "primary": True}]
    kept = scim.put(f"/Users/{user['id']}", new_user("ada@corp.example", emails=work))

    for answer in (refused, created):
        assert answer.status_code == 400 and answer.json()["scimType"] == "invalidValue"
        assert answer.json()["detail"] == "An email's type may be at most 64 characters long."
    assert kept.status_code == 200, kept.text
    assert scim.get(f"/Users/{user['id']}").json()["emails"][0]["type"] == "work"
    assert scim.get("/Users").json()["totalResults"] == 1
    long_value = [{"value": "a" * 250 + "@corp.example", "type": "work"}]
    too_long = scim.put(f"/Users/{user['id']}", new_user("ada@corp.example", emails=long_value))
    assert too_long.status_code == 400
    assert too_long.json()["detail"] == "An email may be at most 254 characters long."


def test_put_replaces_the_idp_s_view_and_never_the_sign_in_address(
    scim: ScimClient, acme: Any
) -> None:
    """The account may be in other organisations: their directories are not this one's."""
    user = scim.post("/Users", new_user("ada@corp.example")).json()
    replaced = new_user("augusta@corp.example", displayName="Ada L.")
    replaced["name"] = {"givenName": "Augusta", "familyName": "King"}

    answer = scim.put(f"/Users/{user['id']}", replaced)

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["userName"] == "augusta@corp.example" and body["displayName"] == "Ada L."
    assert body["name"]["givenName"] == "Augusta"
    account = Membership.objects.get(tenant=acme, scim_user__isnull=False).user
    assert account.email == "ada@corp.example"


def test_a_user_name_that_is_not_an_address_takes_the_primary_email(
    scim: ScimClient, acme: Any
) -> None:
    body = new_user("ada.lovelace", emails=[{"value": "ada@corp.example", "primary": True}])

    answer = scim.post("/Users", body)

    assert answer.status_code == 201, answer.text
    assert answer.json()["userName"] == "ada.lovelace"
    assert Membership.objects.filter(tenant=acme, user__email="ada@corp.example").exists()
    found = scim.get("/Users", params={"filter": 'userName eq "ADA.LOVELACE"'}).json()
    assert found["totalResults"] == 1


def test_delete_suspends_the_member_and_forgets_the_resource(scim: ScimClient, acme: Any) -> None:
    user = scim.post("/Users", new_user("ada@corp.example")).json()

    assert scim.delete(f"/Users/{user['id']}").status_code == 204

    _error(scim.get(f"/Users/{user['id']}"), 404)
    membership = Membership.objects.get(tenant=acme, user__email="ada@corp.example")
    assert membership.suspended_at is not None


def test_recreating_a_deleted_user_reactivates_the_membership_with_its_role(
    scim: ScimClient, acme: Any
) -> None:
    first = scim.post("/Users", new_user("ada@corp.example")).json()
    membership = Membership.objects.get(tenant=acme, user__email="ada@corp.example")
    membership.role = acme.roles.get(key="admin")
    membership.save()
    scim.delete(f"/Users/{first['id']}")

    again = scim.post("/Users", new_user("ada@corp.example"))

    assert again.status_code == 201 and again.json()["active"] is True
    membership.refresh_from_db()
    assert membership.suspended_at is None and membership.role.key == "admin"


# --- Groups --------------------------------------------------------------------------


def test_groups_are_teams_the_app_cannot_change(scim: ScimClient, acme: Any) -> None:
    ada = scim.post("/Users", new_user("ada@corp.example")).json()
    bob = scim.post("/Users", new_user("bob@corp.example")).json()

    group = scim.post(
        "/Groups",
        {
            "schemas": [GROUP_SCHEMA],
            "displayName": "Engineering",
            "members": [{"value": ada["id"]}],
        },
    )
    assert group.status_code == 201, group.text
    group_id = group.json()["id"]
    added = scim.patch(
        f"/Groups/{group_id}",
        {
            "schemas": [PATCH_SCHEMA],
            "Operations": [{"op": "add", "path": "members", "value": [{"value": bob["id"]}]}],
        },
    )
    removed = scim.patch(
        f"/Groups/{group_id}",
        {
            "schemas": [PATCH_SCHEMA],
            "Operations": [{"op": "remove", "path": f'members[value eq "{ada["id"]}"]'}],
        },
    )

    assert {m["value"] for m in added.json()["members"]} == {ada["id"], bob["id"]}
    assert [m["value"] for m in removed.json()["members"]] == [bob["id"]]
    team = Team.objects.get(tenant=acme, name="Engineering")
    assert team.directory_managed
    assert [m.user.email for m in team.members.all()] == ["bob@corp.example"]
    assert scim.delete(f"/Groups/{group_id}").status_code == 204
    assert not Team.objects.filter(pk=team.pk).exists()


def test_a_group_named_like_an_existing_team_is_a_conflict(scim: ScimClient, acme: Any) -> None:
    Team.objects.create(tenant=acme, name="Sales")

    answer = scim.post("/Groups", {"schemas": [GROUP_SCHEMA], "displayName": "sales"})

    _error(answer, 409, "uniqueness")


def test_a_group_member_that_is_not_a_provisioned_user_is_refused(scim: ScimClient) -> None:
    answer = scim.post(
        "/Groups",
        {"schemas": [GROUP_SCHEMA], "displayName": "Ops", "members": [{"value": "nope"}]},
    )

    _error(answer, 400, "invalidValue")


# --- Errors and authentication -------------------------------------------------------


def test_refusals_come_in_scim_s_error_format(scim: ScimClient) -> None:
    _error(scim.get("/Users", params={"filter": "userName eq"}), 400, "invalidFilter")
    _error(
        scim.post("/Users", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]}),
        400,
        "invalidValue",
    )
    _error(scim.post("/Users", new_user("no-address", emails=[])), 400, "invalidValue")
    _error(scim.get("/Users/00000000-0000-0000-0000-000000000000"), 404)
    _error(scim.get("/Users/not-even-an-id"), 404)
    _error(scim.get("/NoSuchEndpoint"), 404)
    bad_json = scim.http.post(
        scim.base_url + "/Users",
        data="{not json",
        headers={"Authorization": f"Bearer {scim.token}", "Content-Type": SCIM_JSON},
        timeout=10,
    )
    _error(bad_json, 400, "invalidSyntax")


def test_requests_without_the_token_are_refused(scim: ScimClient) -> None:
    anonymous = scim.http.get(scim.base_url + "/Users", timeout=10)
    wrong = scim.http.get(
        scim.base_url + "/Users", headers={"Authorization": "Bearer ptscim_wrong"}, timeout=10
    )
    basic = scim.http.get(
        scim.base_url + "/Users", headers={"Authorization": f"Basic {scim.token}"}, timeout=10
    )

    for answer in (anonymous, wrong, basic):
        _error(answer, 401)
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_another_organisation_s_token_opens_nothing_here(
    scim: ScimClient, scim_site: str, owner: Any
) -> None:
    """The attack: an IdP (or anyone holding Globex's token) calls Acme's base URL."""
    from scim.services import directory_token_rotate

    globex = OrgFactory(owner=owner, name="Globex")
    globex_token = directory_token_rotate(tenant=globex, acting_user=owner)
    scim.post("/Users", new_user("ada@corp.example"))

    listing = scim.http.get(
        scim.base_url + "/Users", headers={"Authorization": f"Bearer {globex_token}"}, timeout=10
    )
    creating = scim.http.post(
        scim.base_url + "/Users",
        json=new_user("mallory@corp.example"),
        headers={"Authorization": f"Bearer {globex_token}"},
        timeout=10,
    )

    _error(listing, 401)
    _error(creating, 401)
    assert not Membership.objects.filter(user__email="mallory@corp.example").exists()


def test_scim_has_its_own_rate_limit_tier(scim: ScimClient, settings: Any) -> None:
    settings.RATELIMIT_TIERS = {
        **settings.RATELIMIT_TIERS,
        "scim": {"rate": "3/15m", "when_unavailable": "memory"},
    }

    answers = [scim.get("/Users") for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    _error(answers[-1], 429)
    assert "Retry-After" in answers[-1].headers


def test_refused_tokens_cannot_spend_the_organisation_s_budget(
    scim: ScimClient, settings: Any
) -> None:
    settings.RATELIMIT_TIERS = {
        **settings.RATELIMIT_TIERS,
        "scim": {"rate": "3/15m", "when_unavailable": "memory"},
    }
    wrong = {"Authorization": "Bearer ptscim_guess"}

    guesses = [scim.http.get(scim.base_url + "/Users", headers=wrong, timeout=10) for _ in range(4)]

    assert [g.status_code for g in guesses] == [401, 401, 401, 429]
    assert scim.get("/Users").status_code == 200
