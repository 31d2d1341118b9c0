"""What a successful answer carries besides its body: no content type without content,
HEAD where GET is taken."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.conftest import Org, bearer, build_org


@pytest.fixture
def acme(db: None) -> Org:
    return build_org("Acme")


def test_a_204_has_no_content_type(client: Any, acme: Org) -> None:
    response = client.post(f"/api/v1/teams/{acme.team.pk}/delete", headers=bearer(acme.key))

    assert response.status_code == 204 and response.content == b""
    assert "Content-Type" not in response


def test_a_replayed_204_has_no_content_type_either(client: Any, acme: Org) -> None:
    def add() -> Any:
        return client.post(
            f"/api/v1/teams/{acme.team.pk}/members",
            json.dumps({"member_id": acme.member.pk}),
            content_type="application/json",
            headers={**bearer(acme.key), "Idempotency-Key": "add-1"},
        )

    first, again = add(), add()

    assert first.status_code == again.status_code == 204
    assert again["Idempotent-Replayed"] == "true"
    assert "Content-Type" not in first and "Content-Type" not in again


@pytest.mark.parametrize("path", ["/api/v1/teams", "/api/v1/organisation", "/api/v1/openapi.json"])
def test_head_is_answered_where_get_is_with_the_same_headers(
    client: Any, acme: Org, path: str
) -> None:
    get = client.get(path, headers=bearer(acme.key))
    head = client.head(path, headers=bearer(acme.key))

    assert get.status_code == head.status_code == 200 and head.content == b""
    assert head["Content-Type"] == get["Content-Type"]
    assert head.get("X-RateLimit-Limit") == get.get("X-RateLimit-Limit")


def test_head_of_a_file_says_its_length_without_sending_it(client: Any, acme: Org) -> None:
    path = f"/api/v1/files/{acme.file.pk}/content"
    head = client.head(path, headers=bearer(acme.key))

    assert head.status_code == 200 and head["Content-Length"] == str(acme.file.size)


def test_rate_limit_headers_are_on_every_answer_the_limiter_counted(client: Any, acme: Org) -> None:
    """docs/api.md, Rate limits: every answer once the key is known and counted, errors
    included; none on what is refused before (no valid key, no such path or method)."""
    key = bearer(acme.key)
    counted = [
        client.get("/api/v1/teams", headers=key),
        client.get("/api/v1/teams/0", headers=key),  # 404: no such team
        client.post("/api/v1/teams", "{}", content_type="application/json", headers=key),
    ]
    before = [
        client.get("/api/v1/teams"),  # 401
        client.get("/api/v1/nope", headers=key),  # 404: no such path
        client.generic("OPTIONS", "/api/v1/teams", headers=key),  # 405
    ]

    assert [r.status_code for r in counted] == [200, 404, 422]
    assert all("X-RateLimit-Remaining" in r for r in counted)
    assert [r.status_code for r in before] == [401, 404, 405]
    assert not any("X-RateLimit-Remaining" in r for r in before)
