"""Lists as docs/api.md describes them: members, teams and invitations in creation
order, every page within `limit` (1 to 200)."""

from __future__ import annotations

from typing import Any

import pytest

from api.problems import CONTENT_TYPE, TYPE_BASE
from tenants.invitations import invitation_create
from tests.api.conftest import Org, bearer, build_org


@pytest.fixture
def acme(db: None) -> Org:
    return build_org("Acme")


def test_invitations_are_listed_in_creation_order_across_pages(client: Any, acme: Org) -> None:
    later = [
        invitation_create(
            tenant=acme.tenant,
            email=f"later{i}@acme.example",
            role=acme.role,
            acting_user=acme.owner,
        )
        for i in range(2)  # the Free plan holds 5 members and invitations
    ]
    seen, cursor = [], ""
    while True:
        page = client.get(f"/api/v1/invitations?limit=2{cursor}", headers=bearer(acme.key)).json()
        seen += [invitation["id"] for invitation in page["data"]]
        if page["next_cursor"] is None:
            break
        cursor = f"&cursor={page['next_cursor']}"

    assert seen == [acme.invitation.pk, *(invitation.pk for invitation in later)]


@pytest.mark.parametrize("limit", ["0", "-5", "201"])
@pytest.mark.parametrize("path", ["/api/v1/members", "/api/v1/teams", "/api/v1/audit-events"])
def test_a_limit_outside_1_to_200_is_refused_naming_the_parameter(
    client: Any, acme: Org, path: str, limit: str
) -> None:
    """Not a page of 1 or 200 the client did not ask for."""
    response = client.get(f"{path}?limit={limit}", headers=bearer(acme.key))

    assert response.status_code == 422 and response["Content-Type"] == CONTENT_TYPE
    body = response.json()
    assert body["type"] == TYPE_BASE + "invalid"
    assert [error["loc"] for error in body["errors"]] == [["query", "limit"]]


@pytest.mark.parametrize("limit", ["1", "200"])
def test_a_limit_of_1_or_200_is_taken(client: Any, acme: Org, limit: str) -> None:
    response = client.get(f"/api/v1/teams?limit={limit}", headers=bearer(acme.key))

    assert response.status_code == 200 and len(response.json()["data"]) == 1


def test_the_schema_gives_limit_its_minimum_and_maximum(client: Any) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    lists = [
        operation
        for methods in schema["paths"].values()
        for operation in methods.values()
        if any(parameter["name"] == "limit" for parameter in operation.get("parameters", ()))
    ]

    assert len(lists) == 6  # members, invitations, teams, team members, files, audit events
    for operation in lists:
        [limit] = [p for p in operation["parameters"] if p["name"] == "limit"]
        assert limit["schema"]["minimum"] == 1 and limit["schema"]["maximum"] == 200
