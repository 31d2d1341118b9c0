"""Toasts travel with htmx answers as one HX-Trigger event, built in one place; the
messages a view adds while answering htmx go with them instead of waiting for a page."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.checks import run_checks
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django_htmx.http import HttpResponseClientRedirect

from core.checks import HTMX_MESSAGES, MESSAGES
from core.htmx import HtmxMessagesMiddleware, toast, toasts_of
from tenants.models import Membership, Role

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_a_toast_is_an_hx_trigger_event_and_several_keep_their_order() -> None:
    response = toast(HttpResponse(), "Role changed.")
    toast(response, "Could not email them.", level="warning")

    assert json.loads(response["HX-Trigger"]) == {
        "toast": {
            "items": [
                {"level": "success", "message": "Role changed."},
                {"level": "warning", "message": "Could not email them."},
            ]
        }
    }


def test_a_toast_keeps_other_events_and_survives_non_ascii_words() -> None:
    response = HttpResponse()
    response["HX-Trigger"] = json.dumps({"refresh-list": {}})
    toast(response, "Team “Design” deleted — its sub-teams moved up.")

    assert response["HX-Trigger"].isascii()  # HTTP headers are Latin-1; JSON escapes the rest
    assert "refresh-list" in json.loads(response["HX-Trigger"])
    assert toasts_of(response) == [
        {"level": "success", "message": "Team “Design” deleted — its sub-teams moved up."}
    ]


def test_a_toast_joins_events_named_without_json() -> None:
    response = HttpResponse()
    response["HX-Trigger"] = "refresh-list, close-menu"
    toast(response, "Saved.")

    assert json.loads(response["HX-Trigger"]) == {
        "refresh-list": {},
        "close-menu": {},
        "toast": {"items": [{"level": "success", "message": "Saved."}]},
    }


def _saved(request: HttpRequest) -> HttpResponse:
    messages.success(request, "Saved.")
    return HttpResponse("<tr></tr>")


def _saved_then_elsewhere(request: HttpRequest) -> HttpResponse:
    messages.success(request, "Saved.")
    return HttpResponseClientRedirect("/elsewhere/")


def _with_messages(request: HttpRequest) -> HttpRequest:
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]
    return request


@pytest.mark.django_db
def test_messages_of_an_htmx_answer_become_its_toasts_and_are_not_shown_again(
    owner_client: Any, acme: Any, member_of_acme: Any
) -> None:
    mia = Membership.objects.get(tenant=acme, user=member_of_acme)
    admin = Role.objects.get(tenant=acme, key="admin")

    row = owner_client.post(f"/t/{acme.slug}/members/{mia.pk}/role/", {"role": admin.pk}, **HTMX)

    name = member_of_acme.name or member_of_acme.email
    assert toasts_of(row) == [{"level": "success", "message": f"{name} is now Admin."}]
    next_page = owner_client.get(f"/t/{acme.slug}/members/").content.decode()
    assert f"{name} is now Admin." not in next_page


@pytest.mark.django_db
def test_an_htmx_answer_that_navigates_keeps_its_messages_for_the_next_page(
    client: Any, acme: Any, admin_of_acme: Any
) -> None:
    client.force_login(admin_of_acme)

    left = client.post(f"/t/{acme.slug}/members/leave/", **HTMX)

    assert left.headers["HX-Redirect"] == "/account/tenants/"
    assert toasts_of(left) == []
    assert "You left Acme." in client.get(left.headers["HX-Redirect"]).content.decode()


def test_plain_requests_are_left_alone(rf: RequestFactory) -> None:
    request = _with_messages(rf.post("/"))
    response = HtmxMessagesMiddleware(_saved)(request)

    assert "HX-Trigger" not in response
    assert [m.message for m in messages.get_messages(request)] == ["Saved."]


def test_an_htmx_answer_carries_the_messages_as_toasts(rf: RequestFactory) -> None:
    request = _with_messages(rf.post("/", **HTMX))
    response = HtmxMessagesMiddleware(_saved)(request)

    assert toasts_of(response) == [{"level": "success", "message": "Saved."}]
    assert _stored_for_the_next_page(request, response) == []


def _stored_for_the_next_page(request: HttpRequest, response: HttpResponse) -> list[str]:
    """What MessageMiddleware would keep for the next page (in the messages cookie)."""
    storage = request._messages  # type: ignore[attr-defined]
    storage.update(response)
    cookie = response.cookies.get(storage.cookie_name)
    if cookie is None or not cookie.value:
        return []
    reader = CookieStorage(RequestFactory().get("/", HTTP_COOKIE=f"{cookie.key}={cookie.value}"))
    return [m.message for m in reader]


def test_messages_an_answer_showed_in_place_are_not_toasted_too(rf: RequestFactory) -> None:
    def shown_in_place(request: HttpRequest) -> HttpResponse:
        messages.success(request, "Saved.")
        return HttpResponse("".join(f"<p>{m}</p>" for m in messages.get_messages(request)))

    request = _with_messages(rf.post("/", **HTMX))
    response = HtmxMessagesMiddleware(shown_in_place)(request)

    assert response.content == b"<p>Saved.</p>"
    assert toasts_of(response) == []
    assert _stored_for_the_next_page(request, response) == []


def test_an_htmx_redirect_keeps_its_messages(rf: RequestFactory) -> None:
    request = _with_messages(rf.post("/", **HTMX))
    response = HtmxMessagesMiddleware(_saved_then_elsewhere)(request)

    assert toasts_of(response) == []
    assert _stored_for_the_next_page(request, response) == ["Saved."]


def test_the_middleware_must_sit_below_the_message_middleware(settings: Any) -> None:
    others = [m for m in settings.MIDDLEWARE if m not in (HTMX_MESSAGES, MESSAGES)]
    settings.MIDDLEWARE = [HTMX_MESSAGES, MESSAGES, *others]

    assert [e.id for e in run_checks() if e.id == "core.E001"] == ["core.E001"]

    settings.MIDDLEWARE = [MESSAGES, HTMX_MESSAGES, *others]
    assert not [e for e in run_checks() if e.id == "core.E001"]
