"""Toasts: the short notes an htmx response leaves in the page's toast region.

A toast travels as one `HX-Trigger` event, `{"toast": {"items": [{"level", "message"}]}}`,
which `static/src/js/toast.js` shows in the region of `base.html` (polite for
confirmations, an alert for errors). Views never build it by hand:

- `toast(response, message, level=...)` adds one to a response;
- `HtmxMessagesMiddleware` turns the Django messages of an htmx request into toasts,
  so `messages.success(...)` (and `core.errors.run_action`) confirm an htmx action
  the same way they confirm a plain post on the next page.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Literal, TypeVar

from django.contrib import messages
from django.http import HttpRequest, HttpResponseBase
from django_htmx.http import trigger_client_event

Level = Literal["success", "info", "warning", "error"]

TOAST_EVENT = "toast"
LEVELS: tuple[Level, ...] = ("success", "info", "warning", "error")

# Responses that take the browser elsewhere: their messages wait for the next page.
NAVIGATING_HEADERS = ("HX-Redirect", "HX-Location", "HX-Refresh")


def is_htmx(request: HttpRequest) -> bool:
    """True for a request htmx sent (also before or without django-htmx's middleware,
    e.g. in the error handlers). Read from `META`: `request.headers` builds a dict of
    every header, which a request no middleware has work for need not pay."""
    return request.META.get("HTTP_HX_REQUEST") == "true"


R = TypeVar("R", bound=HttpResponseBase)


def toast(response: R, message: str, *, level: Level = "success") -> R:
    """Add a toast to an htmx response, after any it already carries."""
    return _add(response, message, level)


def _add(response: R, message: str, level: str) -> R:
    item = {"level": level if level in LEVELS else "info", "message": str(message)}
    named = response.get("HX-Trigger", "")
    if named and not named.lstrip().startswith("{"):  # "a, b": event names, as JSON
        events: dict[str, dict[str, str]] = {n.strip(): {} for n in named.split(",") if n.strip()}
        response["HX-Trigger"] = json.dumps(events)
    return trigger_client_event(response, TOAST_EVENT, {"items": [*toasts_of(response), item]})


def toasts_of(response: HttpResponseBase) -> list[dict[str, str]]:
    """The toasts a response carries (tests and the middleware read them back)."""
    try:
        triggers = json.loads(response.get("HX-Trigger", "") or "{}")
    except json.JSONDecodeError:
        return []
    event = triggers.get(TOAST_EVENT) if isinstance(triggers, dict) else None
    return list(event.get("items", [])) if isinstance(event, dict) else []


class HtmxMessagesMiddleware:
    """Django messages added while answering an htmx request become toasts on that
    response, instead of waiting for a page load that may be long in coming.

    Must sit below `MessageMiddleware`: reading the messages here marks them used,
    so that middleware does not store them for the next page. A response that
    navigates (a redirect, `HX-Redirect`…) keeps them for the page it leads to, and
    one whose template already showed them (in place) is not given them twice."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not is_htmx(request) or not hasattr(request, "_messages"):
            return response
        if 300 <= response.status_code < 400 or any(h in response for h in NAVIGATING_HEADERS):
            return response
        storage = messages.get_messages(request)
        if getattr(storage, "used", False):  # the answer showed them itself (in place)
            return response
        for message in storage:
            _add(response, message.message, message.level_tag)
        return response
