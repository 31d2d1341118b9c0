"""The API reference (/api/v1/docs/) is enough to write a client from: for each operation
the permission its key needs, its path and query parameters, its request body's fields
and its answer's fields, each with its type and whether it is required; one Errors
section with the problem types of docs/api.md. Its own words are in the reader's
language; the API's identifiers read the same, left to right, in every language."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from api import reference
from api.v1 import api
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/docs/"


def text(html: str) -> str:
    return unescape(" ".join(re.sub(r"<[^>]+>", " ", html).split()))


def operation(html: str, operation_id: str) -> str:
    """The HTML of one operation's card."""
    return html.split(f'<article class="card mt-4" id="{operation_id}"', 1)[1].split(
        "</article>", 1
    )[0]


def fields(card: str) -> dict[str, str]:
    """Each listed field's name, with the text of its line."""
    found = {}
    for item in card.split('data-testid="field">')[1:]:
        name = re.search(r'data-testid="field-name">([^<]+)<', item)
        assert name is not None
        found[name.group(1)] = text(item.split("</li>", 1)[0])
    return found


@pytest.fixture
def page() -> str:
    response = Client().get(URL)
    assert response.status_code == 200
    return response.content.decode()


def test_an_operation_names_the_permission_its_key_needs(page: str) -> None:
    change_role = text(operation(page, "members_change_role"))
    list_members = text(operation(page, "members_list"))

    assert "Permission Manage members members.manage" in change_role
    assert "Permission none: any key of the organisation" in list_members


def test_the_schema_lists_the_permission_in_the_operation_s_security() -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]

    assert paths["/api/v1/invitations"]["post"]["security"] == [{"KeyBearer": ["members.invite"]}]
    assert paths["/api/v1/audit-events"]["get"]["security"] == [{"KeyBearer": ["audit.view"]}]
    assert paths["/api/v1/invitations"]["get"]["security"] == [{"KeyBearer": ["members.invite"]}]
    assert paths["/api/v1/teams"]["get"]["security"] == [{"KeyBearer": []}]


def test_a_request_body_lists_each_field_with_its_type_constraints_and_whether_required(
    page: str,
) -> None:
    card = operation(page, "invitations_create")
    body = fields(card.split("Request body", 1)[1].split("Response", 1)[0])

    assert body == {
        "email": "email string Required maxLength: 254",
        "role_id": "role_id integer Required minimum: 1 maximum: 9223372036854775807",
        "team_ids": "team_ids array of integer Optional",
    }
    assert "application/json" in text(card)


def test_path_and_query_parameters_are_listed_with_type_and_description(page: str) -> None:
    audit = fields(operation(page, "audit_events_list"))
    member = fields(operation(page, "members_get"))

    assert audit["since"] == "since string (date-time) | null Optional From this time on (ISO 8601)"
    assert audit["limit"] == (
        "limit integer Optional minimum: 1 maximum: 200 default: 50 How many per page, 1 to 200"
    )
    assert member["member_id"] == "member_id integer Required"


def test_the_answer_lists_every_field_nested_ones_by_their_path(page: str) -> None:
    answer = operation(page, "members_list").split("Response", 1)[1]

    assert "200 application/json" in text(answer)
    listed = fields(answer)
    assert listed["data[].user.email"] == "data[].user.email string"
    assert listed["data[].id"] == "data[].id integer The membership id (not the person's)"
    assert listed["next_cursor"] == "next_cursor string | null"


def test_errors_have_one_section_with_the_problem_types_of_the_api_doc(page: str) -> None:
    section = page.split('id="errors"', 1)[1]
    on_page = {
        (status, kind)
        for status, kinds, _when in reference.PROBLEM_TYPES
        for kind in kinds
        if f'<tr id="status-{status}">' in section and f">{kind}</code>" in section
    }
    doc = (Path(settings.BASE_DIR) / "docs" / "api.md").read_text()
    in_doc = {
        (int(status), kind)
        for status, kinds in re.findall(r"^\| (\d{3}) \| ([^|]+) \|", doc, re.MULTILINE)
        for kind in re.findall(r"`([a-z-]+)`", kinds)
    }

    assert on_page == in_doc
    assert 'href="#errors"' in operation(page, "teams_create")
    assert "errors[].loc array of string" in text(section)


@pytest.mark.parametrize(
    ("language", "words", "english"),
    [
        ("de", ["Berechtigung", "Request-Body", "Erforderlich", "Antwort", "Fehler"], "Permission"),
        ("ar", ["الصلاحية", "جسم الطلب", "مطلوب", "الاستجابة", "الأخطاء"], "Request body"),
    ],
)
def test_the_page_s_words_are_in_the_reader_s_language_and_identifiers_stay_as_they_are(
    client: Any, language: str, words: list[str], english: str
) -> None:
    if language == "de":  # the language cookie (the signed-out picker)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    else:  # the signed-in person's own choice
        client.force_login(UserFactory(language=language))

    html = client.get(URL).content.decode()
    card = operation(html, "invitations_create")

    for word in words:
        assert word in text(card) or word in text(html.split('id="errors"', 1)[1])
    assert english not in text(card)
    assert '<code dir="ltr" translate="no">members.invite</code>' in card
    assert '<code class="min-w-0 break-all font-semibold text-slate-900" dir="ltr"' in card
    assert set(fields(card)) >= {"email", "role_id", "team_ids", "role.name"}
    assert '<code class="min-w-0 break-all">/api/v1/invitations</code>' in card


def test_the_schema_is_read_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    built = []
    original = api.get_openapi_schema

    def counting(**kwargs: Any) -> Any:
        built.append(kwargs)
        return original(**kwargs)

    reference.api_reference.cache_clear()
    monkeypatch.setattr(api, "get_openapi_schema", counting)
    try:
        for language in ("en", "de", "ar"):
            assert Client().get(URL, HTTP_ACCEPT_LANGUAGE=language).status_code == 200
    finally:
        reference.api_reference.cache_clear()

    assert len(built) == 1


def test_the_page_says_the_rate_limit_reset_is_in_milliseconds(page: str) -> None:
    """A walk found the unit only in docs/api.md; a client reading seconds would wait
    for years."""
    assert "(milliseconds since the epoch)" in text(page)
    assert "every answer the key's rate counted carries" in text(page)
