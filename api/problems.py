"""RFC 9457 problem details: every error of the API is `application/problem+json`."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse

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
}


def problem(
    status: int, detail: str, *, kind: str = "", headers: dict[str, str] | None = None, **extra: Any
) -> HttpResponse:
    """One problem response: `type` is `TYPE_BASE + kind` (about:blank without one)."""
    body: dict[str, Any] = {
        "type": TYPE_BASE + kind if kind else "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        **extra,
    }
    response = HttpResponse(json.dumps(body), status=status, content_type=CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response
