"""RFC 9457 problem details: every error of the API is `application/problem+json`."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse

from core.request_limits import megabytes

CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://pacetrack.dev/problems/"  # a stable identifier, documented in docs/api.md

TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Content too large",
    422: "Invalid request",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


# The type of a problem raised without a kind of its own (ninja's HttpError, a malformed
# header): each status's general one from docs/api.md, never about:blank.
KINDS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "content-too-large",
    422: "invalid",
    429: "rate-limited",
    500: "server-error",
    503: "service-unavailable",
}


def problem(
    status: int, detail: str, *, kind: str = "", headers: dict[str, str] | None = None, **extra: Any
) -> HttpResponse:
    """One problem response: `type` is `TYPE_BASE + kind`, the status's general kind
    without one (about:blank only for a status the API does not document)."""
    kind = kind or KINDS.get(status, "")
    body: dict[str, Any] = {
        "type": TYPE_BASE + kind if kind else "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        **extra,
    }
    body = _plain(body)
    response = HttpResponse(json.dumps(body), status=status, content_type=CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


# The directional isolates our sentences put around names (core.text.isolated) and the
# translations around addresses: they lay out a page; in JSON they are invisible
# characters in a client's logs that break matching on the message.
_ISOLATES = dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069"))


def _plain(value: Any) -> Any:
    """`value` with every string in it free of directional isolates."""
    if isinstance(value, str):
        return value.translate(_ISOLATES)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def methods_as_documented(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """HEAD is answered as GET is, where GET is taken (as Django's own views answer it; the
    server drops the body). Any method a path does not take is a problem naming those it
    takes (also in `Allow`, sorted), not ninja's empty HTML 405."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        head = request.method == "HEAD"
        if head:  # ninja finds an operation by the method: the GET one answers
            request.method = "GET"
        try:
            response = view(request, *args, **kwargs)
        finally:
            if head:
                request.method = "HEAD"
        if response.status_code != 405 or response.get("Content-Type") == CONTENT_TYPE:
            return response
        taken = {method.strip() for method in response.get("Allow", "").split(",") if method}
        if "GET" in taken:
            taken.add("HEAD")
        allowed = ", ".join(sorted(taken))
        return problem(
            405,
            f"{request.method} is not allowed here; this path takes {allowed}.",
            headers={"Allow": allowed},
        )

    return wrapped


def file_too_large(request: HttpRequest, limit_bytes: int | None) -> HttpResponse:
    """POST /files over the upload limit, refused before the body is read
    (core.request_limits): a problem, not the site's 413 page."""
    limit = f" ({megabytes(limit_bytes, localized=False)} MB)" if limit_bytes else ""
    return problem(413, f"The file is larger than this API accepts{limit}.")


def body_too_large(request: HttpRequest, limit_bytes: int | None) -> HttpResponse:
    """Any other operation's body over what Django reads into memory
    (`DATA_UPLOAD_MAX_MEMORY_SIZE`): a problem, not the site's 413 page."""
    limit = f" ({megabytes(limit_bytes, localized=False)} MB)" if limit_bytes else ""
    return problem(413, f"The request body is larger than this API accepts{limit}.")
