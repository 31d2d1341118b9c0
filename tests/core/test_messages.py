"""Flash messages in a signed cookie, with the signer made only when used (core/messages.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from core.messages import LazyCookieStorage


def _through_middleware(request: HttpRequest, view: object) -> HttpResponse:
    return MessageMiddleware(view)(request)  # type: ignore[arg-type]


def test_a_request_without_messages_never_makes_the_signer(rf: RequestFactory) -> None:
    request = rf.get("/")
    response = _through_middleware(request, lambda r: HttpResponse("page"))

    assert isinstance(request._messages, LazyCookieStorage)  # type: ignore[attr-defined]
    assert "signer" not in request._messages.__dict__  # type: ignore[attr-defined]
    assert "messages" not in response.cookies


def test_the_cookie_is_djangos_own_both_ways(rf: RequestFactory) -> None:
    def adds(request: HttpRequest) -> HttpResponse:
        messages.success(request, "Saved.")
        return HttpResponse("page")

    written = _through_middleware(rf.get("/"), adds).cookies["messages"]
    header = f"messages={written.value}"

    assert [str(m) for m in CookieStorage(rf.get("/", HTTP_COOKIE=header))] == ["Saved."]
    assert [str(m) for m in LazyCookieStorage(rf.get("/", HTTP_COOKIE=header))] == ["Saved."]


def test_a_forged_cookie_shows_nothing(rf: RequestFactory) -> None:
    request = rf.get("/", HTTP_COOKIE="messages=forged:value")
    assert list(LazyCookieStorage(request)) == []
