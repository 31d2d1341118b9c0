"""What a client hears when its request is wrong: always a problem document (RFC 9457),
in the API's own words, about the first thing it got wrong."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from api.problems import CONTENT_TYPE, TYPE_BASE
from api.schemas import Problem
from core.permissions import BILLING_MANAGE, MEMBERS_INVITE, MEMBERS_MANAGE
from tests.api.conftest import Org, bearer, build_org, make_key
from tests.tenants.factories import add_member, make_role


@pytest.fixture
def acme(db: None) -> Org:
    return build_org("Acme")


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


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/members/"])
def test_with_debug_on_an_unknown_path_is_still_the_apis_problem(
    client: Any, acme: Org, settings: Any, path: str
) -> None:
    """A walk on `make run` (DEBUG on) met Django's HTML debug page here, where
    production answers a problem: the demo and production now answer alike."""
    settings.DEBUG = True

    body = problem_of(client.get(path, headers=bearer(acme.key)), 404)

    assert body["type"] == TYPE_BASE + "not-found"


@pytest.mark.parametrize("debug", [True, False], ids=["debug", "production"])
@pytest.mark.parametrize("path", ["/api/", "/api/v1/"])
def test_the_apis_root_is_its_404_problem_pointing_at_the_reference(
    client: Any, settings: Any, path: str, debug: bool
) -> None:
    """With DEBUG on (`make run`) the root answered Django's HTML "Page not found"."""
    settings.DEBUG = debug

    body = problem_of(client.get(path), 404)

    assert body["detail"] == (
        f"There is no operation at {path}. The reference lists them all: /api/v1/docs/."
    )


def test_a_trailing_slash_on_an_operation_says_which_path_was_meant(client: Any, acme: Org) -> None:
    """Every page of the site ends in "/": a newcomer's first try at the API was a bare
    "There is no operation at /api/v1/members/"."""
    body = problem_of(client.get("/api/v1/members/", headers=bearer(acme.key)), 404)
    member = problem_of(client.get("/api/v1/members/5/", headers=bearer(acme.key)), 404)
    unknown = problem_of(client.get("/api/v1/nope/", headers=bearer(acme.key)), 404)

    assert "Did you mean /api/v1/members (no slash at the end)?" in body["detail"]
    assert "Did you mean /api/v1/members/5 (no slash at the end)?" in member["detail"]
    assert "Did you mean" not in unknown["detail"]


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


@pytest.mark.parametrize(
    ("path", "sent"),
    [
        ("/api/v1/teams", {}),  # no name
        ("/api/v1/teams", "{bad"),
        ("/api/v1/invitations", {"email": "a@example.com", "role_id": "x"}),
        ("/api/v1/teams/not-a-number/members", {}),
        ("/api/v1/files", None),  # no file part
    ],
)
def test_a_key_without_the_scope_gets_403_whatever_it_sent(
    client: Any, acme: Org, path: str, sent: Any
) -> None:
    """The permission is checked before the parameters are read: a key that may not act
    hears 403, not a 400 or 422 describing what it should have sent."""
    reader = make_key(acme.tenant, acme.owner, [], name="Reader")
    content = sent if isinstance(sent, str) else json.dumps(sent)

    response = client.post(path, content, content_type="application/json", headers=bearer(reader))

    body = problem_of(response, 403)
    assert body["type"] == TYPE_BASE + "insufficient-scope"
    assert "permission" in body["detail"]


def test_a_key_without_the_scope_gets_403_whatever_its_query(client: Any, acme: Org) -> None:
    reader = make_key(acme.tenant, acme.owner, [], name="Reader")

    response = client.get("/api/v1/audit-events?since=yesterday", headers=bearer(reader))

    assert problem_of(response, 403)["type"] == TYPE_BASE + "insufficient-scope"


def test_a_key_without_invite_people_cannot_list_invitations(client: Any, acme: Org) -> None:
    """The members page shows pending invitations only to those who may invite; a key
    without any permission listed every invited address, role and status."""
    reader = make_key(acme.tenant, acme.owner, [], name="Reader")
    inviter = make_key(acme.tenant, acme.owner, ["members.invite"], name="Inviter")

    refused = client.get("/api/v1/invitations", headers=bearer(reader))
    listed = client.get("/api/v1/invitations", headers=bearer(inviter))

    assert problem_of(refused, 403)["type"] == TYPE_BASE + "insufficient-scope"
    assert acme.invitation.email not in refused.content.decode()
    assert [row["email"] for row in listed.json()["data"]] == [acme.invitation.email]


def test_a_key_with_the_scope_still_hears_what_is_wrong_with_its_body(
    client: Any, acme: Org
) -> None:
    response = client.post(
        "/api/v1/teams", "{}", content_type="application/json", headers=bearer(acme.key)
    )

    assert problem_of(response, 422)["type"] == TYPE_BASE + "invalid"


@pytest.mark.parametrize(
    ("method", "path", "sent", "locations"),
    [
        (
            "post",
            "/api/v1/invitations",
            {"email": "a@example.com", "role_id": "x", "team_ids": [1, "y"]},
            [["body", "role_id"], ["body", "team_ids", "1"]],
        ),
        ("post", "/api/v1/teams", {"nom": "Ops"}, [["body", "name"]]),
        ("post", "/api/v1/teams", None, [["body"]]),  # no body at all
        ("get", "/api/v1/teams?limit=many", None, [["query", "limit"]]),
        ("get", "/api/v1/teams/one", None, [["path", "team_id"]]),
    ],
)
def test_each_invalid_field_is_located_by_where_it_was_sent_then_its_path(
    client: Any, acme: Org, method: str, path: str, sent: Any, locations: list[list[str]]
) -> None:
    """Once each: not ["body", "body", "name"], ninja's name for the body parameter
    between the source and the field."""
    content = "" if sent is None else json.dumps(sent)
    send = getattr(client, method)

    if method == "post":
        response = send(path, content, content_type="application/json", headers=bearer(acme.key))
    else:
        response = send(path, headers=bearer(acme.key))

    body = problem_of(response, 422)
    assert [error["loc"] for error in body["errors"]] == locations
    assert all(error["msg"] for error in body["errors"])
    Problem.model_validate(body, strict=True)  # as the OpenAPI document describes it


@pytest.mark.parametrize("name", ["since", "until"])
def test_a_time_past_the_year_9999_in_utc_is_a_422_located_at_its_parameter(
    client: Any, acme: Org, name: str
) -> None:
    """9999-12-31T23:59:59-14:00 is year 10000 in UTC: it answered 500 (OverflowError)."""
    late = "9999-12-31T23:59:59-14:00".replace("+", "%2B")
    response = client.get(f"/api/v1/audit-events?{name}={late}", headers=bearer(acme.key))

    body = problem_of(response, 422)
    [error] = body["errors"]
    assert error["loc"] == ["query", name] and "9999" in error["msg"]


def test_a_time_without_an_offset_is_read_as_utc_even_in_the_year_1(client: Any, acme: Org) -> None:
    """The 9999 fix converted times without an offset as local ones: year 1 became a 500."""
    response = client.get(
        "/api/v1/audit-events?since=0001-01-01T00:00:00&until=9999-12-31T00:00:00",
        headers=bearer(acme.key),
    )
    assert response.status_code == 200 and response.json()["data"]


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/api/v1/teams", "GET, HEAD, POST"),
        ("DELETE", "/api/v1/members", "GET, HEAD"),
        ("GET", "/api/v1/teams/1/delete", "POST"),
        ("OPTIONS", "/api/v1/teams", "GET, HEAD, POST"),  # no CORS preflight either
        ("OPTIONS", "/api/v1/members/1", "GET, HEAD"),
        ("TRACE", "/api/v1/teams", "GET, HEAD, POST"),
        ("PROPFIND", "/api/v1/files", "GET, HEAD, POST"),
        ("POST", "/api/v1/openapi.json", "GET, HEAD"),
    ],
)
def test_a_method_a_path_does_not_take_is_a_405_problem_naming_those_it_takes(
    client: Any, acme: Org, method: str, path: str, allowed: str
) -> None:
    """Whatever the method: not the site's HTML 405 naming the site's methods."""
    response = client.generic(method, path, headers=bearer(acme.key))

    body = problem_of(response, 405)
    assert body["type"] == TYPE_BASE + "method-not-allowed"
    assert body["detail"] == f"{method} is not allowed here; this path takes {allowed}."
    assert response["Allow"] == allowed


def test_head_where_only_post_is_taken_is_a_405_problem(client: Any, acme: Org) -> None:
    response = client.head("/api/v1/teams/1/delete", headers=bearer(acme.key))

    assert response.status_code == 405 and response["Content-Type"] == CONTENT_TYPE
    assert response["Allow"] == "POST"


def test_a_malformed_idempotency_key_is_a_bad_request_problem(client: Any, acme: Org) -> None:
    response = client.post(
        "/api/v1/teams",
        data=json.dumps({"name": "Ops"}),
        content_type="application/json",
        headers={**bearer(acme.key), "Idempotency-Key": "k" * 256},
    )

    body = problem_of(response, 400)
    assert body["type"] == TYPE_BASE + "bad-request"
    assert body["detail"] == "Idempotency-Key must be 1 to 255 characters."


def test_a_file_over_the_upload_limit_is_a_413_problem_before_it_is_read(
    client: Any, acme: Org, settings: Any
) -> None:
    settings.UPLOADS_FILE_MAX_BYTES = 1024 * 1024
    response = client.post(
        "/api/v1/files",
        data=b"x",
        content_type="application/octet-stream",
        headers=bearer(acme.key),
        CONTENT_LENGTH=str(3 * 1024 * 1024),
    )

    body = problem_of(response, 413)
    assert body["type"] == TYPE_BASE + "content-too-large"
    assert body["detail"] == "The file is larger than this API accepts (1 MB)."


@pytest.mark.parametrize(
    ("path", "sent", "location", "words"),
    [
        ("/api/v1/teams", {"name": "Acme team"}, ["body", "name"], "already exists"),
        ("/api/v1/teams", {"name": "   "}, ["body", "name"], "Give the team a name."),
        ("/api/v1/invitations", {"email": "nope", "role_id": 0}, ["body", "email"], "email"),
    ],
)
def test_a_value_the_service_refuses_is_located_like_any_invalid_field(
    client: Any, acme: Org, path: str, sent: dict[str, Any], location: list[str], words: str
) -> None:
    """Refused by the pages' services rather than by the schema, still 422 at the field
    the client sent, in the service's words."""
    if "role_id" in sent:
        sent["role_id"] = acme.role.pk

    response = client.post(
        path, json.dumps(sent), content_type="application/json", headers=bearer(acme.key)
    )

    body = problem_of(response, 422)
    assert body["type"] == TYPE_BASE + "invalid"
    [error] = body["errors"]
    assert error["loc"] == location and words in error["msg"] and words in body["detail"]
    Problem.model_validate(body, strict=True)


def test_a_file_type_the_files_page_refuses_is_located_at_the_file_part(
    client: Any, acme: Org
) -> None:
    upload = SimpleUploadedFile("run.exe", b"MZ\x90\x00" + b"\x00" * 60, "application/x-msdownload")

    response = client.post("/api/v1/files", {"file": upload}, headers=bearer(acme.key))

    body = problem_of(response, 422)
    [error] = body["errors"]
    assert error["loc"] == ["file", "file"] and error["msg"]
    # Plain text: the isolates that lay a name out on a page were in the JSON (a walk's
    # client logged "\u201c\u2068run.exe\u2069\u201d").
    assert error["msg"].startswith("“run.exe”: Files of this type cannot be uploaded.")
    assert not any(chr(c) in response.content.decode() for c in range(0x2066, 0x206A))


def test_a_file_past_the_plans_storage_cap_is_a_403_plan_limit_like_every_plan_cap(
    client: Any, acme: Org, settings: Any
) -> None:
    """docs/api.md promises 403 `plan-limit` for a plan's cap; the storage cap answered
    422 `invalid` (the files page's form error), so a client branching on the kind
    never saw it."""
    import copy

    plans = copy.deepcopy(settings.BILLING_PLANS)
    plans["free"]["max_storage_mb"] = 1
    settings.BILLING_PLANS = plans
    big = SimpleUploadedFile("big.csv", b"a,b\n" * 300_000, "text/csv")

    body = problem_of(client.post("/api/v1/files", {"file": big}, headers=bearer(acme.key)), 403)

    assert body["type"] == TYPE_BASE + "plan-limit"
    assert "storage" in body["detail"].lower()


@pytest.mark.parametrize("path", ["/api/v1/teams", "/api/v1/invitations", "/api/v1/members/1/role"])
@pytest.mark.parametrize(
    "over",
    [
        1024,  # within the allowance the middleware gives a form's multipart overhead
        100 * 1024,  # refused by its Content-Length alone, before it is read
    ],
)
def test_a_body_over_the_limit_is_a_413_problem_on_every_operation(
    client: Any, acme: Org, settings: Any, path: str, over: int
) -> None:
    """Not the site's HTML 413 page, nor 404 "No such object here." (what Django's
    RequestDataTooBig, a SuspiciousOperation, became)."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 128 * 1024
    sent = json.dumps({"name": "x" * (128 * 1024 + over)})

    response = client.post(path, sent, content_type="application/json", headers=bearer(acme.key))

    body = problem_of(response, 413)
    assert body["type"] == TYPE_BASE + "content-too-large"
    assert body["detail"] == "The request body is larger than this API accepts (0.125 MB)."


def test_an_invitation_resent_too_soon_is_a_429_saying_when_it_may_be_sent_again(
    client: Any, acme: Org
) -> None:
    """A pace, not the organisation's state: 429 with Retry-After (the seconds left of
    the minute since its last email), so a client's usual back-off handles it."""
    path = f"/api/v1/invitations/{acme.invitation.pk}/resend"
    sent_at = acme.invitation.sent_at

    with time_machine.travel(sent_at + timedelta(seconds=20), tick=False):
        refused = client.post(path, headers=bearer(acme.key))
    with time_machine.travel(sent_at + timedelta(seconds=61), tick=False):
        resent = client.post(path, headers=bearer(acme.key))

    body = problem_of(refused, 429)
    assert body["type"] == TYPE_BASE + "rate-limited"
    assert refused["Retry-After"] == "40"
    assert acme.invitation.email in body["detail"]
    assert resent.status_code == 200, resent.content


def test_a_grant_beyond_the_key_says_the_key_lacks_it_not_your_role(client: Any, acme: Org) -> None:
    """The caller of the API has no role of their own: a refusal names the key."""
    key = make_key(acme.tenant, acme.owner, [MEMBERS_INVITE, MEMBERS_MANAGE], name="Inviter")
    finance = make_role(acme.tenant, "Finance", [BILLING_MANAGE])
    accountant = add_member(acme.tenant, role=finance)

    invite = client.post(
        "/api/v1/invitations",
        json.dumps({"email": "cfo@acme.example", "role_id": finance.pk}),
        content_type="application/json",
        headers=bearer(key),
    )
    demote = client.post(
        f"/api/v1/members/{accountant.pk}/role",
        json.dumps({"role_id": acme.role.pk}),
        content_type="application/json",
        headers=bearer(key),
    )

    assert problem_of(invite, 403)["detail"] == (
        "This API key cannot grant permissions it does not have: Manage billing."
    )
    detail = problem_of(demote, 403)["detail"]
    assert detail.startswith(f"{accountant.user.email} has permissions this API key does not")
    assert "your" not in detail
