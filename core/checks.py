"""System checks for core's middleware."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error

HTMX_MESSAGES = "core.htmx.HtmxMessagesMiddleware"
MESSAGES = "django.contrib.messages.middleware.MessageMiddleware"


def check_htmx_messages_order(**kwargs: Any) -> list[CheckMessage]:
    """Toasts read the messages before MessageMiddleware stores what is unread, so it
    must wrap HtmxMessagesMiddleware; above it, every message would show twice."""
    middleware = list(settings.MIDDLEWARE)
    if HTMX_MESSAGES not in middleware:
        return []
    if MESSAGES in middleware and middleware.index(MESSAGES) < middleware.index(HTMX_MESSAGES):
        return []
    return [
        Error(
            f"{HTMX_MESSAGES} must come after {MESSAGES} in MIDDLEWARE.",
            hint=f"Put {HTMX_MESSAGES!r} below {MESSAGES!r}.",
            id="core.E001",
        )
    ]
