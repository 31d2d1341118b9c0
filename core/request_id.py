"""One id per request, on every log line the request writes and on its response.

An operator reading a traceback needs the access-log line and the security events of
the same request; someone quoting the 500 page's reference to support gives them all
three. The id is ours (16 hex characters) unless `REQUEST_ID_HEADER` names a header
the load balancer sets (the shipped HAProxy configuration sends `X-Request-ID`): then
its id runs through the balancer's log, ours and the response. A client's own header
is never believed without that setting (it could make one request's lines look like
another's), and a believed value must look like an id (no spaces, no line breaks,
at most 64 characters) or ours replaces it.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

RESPONSE_HEADER = "X-Request-ID"
NO_REQUEST = "-"  # log lines written outside a request (commands, the worker, startup)

_current: ContextVar[str] = ContextVar("request_id", default=NO_REQUEST)
_LOOKS_LIKE_AN_ID = re.compile(r"[A-Za-z0-9._:+/=-]{1,64}")  # a UUID, HAProxy's hex forms…
_meta_keys: dict[str, str] = {}


def current_request_id() -> str:
    """The id of the request being served here, or "-" outside one."""
    return _current.get()


def _given(request: HttpRequest) -> str:
    """The balancer's id, when REQUEST_ID_HEADER names its header (read per request,
    as settings may change under tests; the header's META key is worked out once)."""
    header = settings.REQUEST_ID_HEADER
    if not header:
        return ""
    key = _meta_keys.get(header)
    if key is None:
        key = _meta_keys[header] = "HTTP_" + header.upper().replace("-", "_")
    return str(request.META.get(key, ""))


class RequestIdMiddleware:
    """First in MIDDLEWARE, so the id is set before anything below may log. It is left
    set past the response (until `request_id_forget`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        given = _given(request)
        request_id = given if given and _LOOKS_LIKE_AN_ID.fullmatch(given) else secrets.token_hex(8)
        _current.set(request_id)
        response = self.get_response(request)
        response[RESPONSE_HEADER] = request_id
        return response


def request_id_forget(**kwargs: object) -> None:
    """`request_finished`: the id stays set until the response is closed, as Django logs
    a 4xx or 5xx answer after the last middleware returns (`log_response`); after
    that, lines written by the same thread belong to no request."""
    _current.set(NO_REQUEST)
