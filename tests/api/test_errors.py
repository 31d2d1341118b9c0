"""What a client hears when its request is wrong: always a problem document (RFC 9457),
in the API's own words, about the first thing it got wrong."""

from __future__ import annotations

from typing import Any

import pytest

from api.problems import CONTENT_TYPE, TYPE_BASE
from tests.api.conftest import Org, build_org


@pytest.fixture
def acme(db: None) -> Org:
    return build_org("Acme")


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def problem_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == CONTENT_TYPE
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


@pytest.mark.parametrize("path", ["/api/v1/nope/", "/api/v1/nope", "/api/v1/members/"])
def test_an_unknown_path_is_a_404_problem_not_the_sites_page(
    client: Any, acme: Org, path: str
) -> None:
    body = problem_of(client.get(path, headers=bearer(acme.key)), 404)

    assert body["type"] == TYPE_BASE + "not-found"
    assert path in body["detail"] and "/api/v1/docs/" in body["detail"]


def test_the_docs_page_still_gets_its_trailing_slash(client: Any) -> None:
    response = client.get("/api/v1/docs")

    assert response.status_code == 301 and response["Location"] == "/api/v1/docs/"


@pytest.mark.parametrize(
    ("sent", "detail"),
    [
        (b"{bad", "The request body is not valid JSON (line 1, column 2)."),
        (b'{"name": "Ops",\n}', "The request body is not valid JSON (line 2, column 1)."),
        (b'{"name": "Op\xff"}', "The request body is not valid JSON."),  # not UTF-8
    ],
)
@pytest.mark.parametrize("debug", [False, True])
def test_a_body_that_is_not_json_is_a_400_problem_in_the_apis_words(
    client: Any, acme: Org, settings: Any, sent: bytes, detail: str, debug: bool
) -> None:
    """Not the parser's words, nor ninja's: not even under DEBUG, which adds them."""
    settings.DEBUG = debug

    response = client.post(
        "/api/v1/teams", sent, content_type="application/json", headers=bearer(acme.key)
    )

    body = problem_of(response, 400)
    assert body["type"] == TYPE_BASE + "bad-request" and body["title"] == "Bad request"
    assert body["detail"] == detail
