"""System checks for core's middleware and template libraries."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning
from django.template.backends.django import get_template_tag_modules

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


# Library names a TEMPLATES option `libraries` replaces on purpose (config/settings.py).
OVERRIDDEN_LIBRARIES = {"i18n": "core.templatetags.i18n_cached"}


def check_template_library_names(**kwargs: Any) -> list[CheckMessage]:
    """Django's templates.W003, silenced for the deliberate `i18n` override only: two
    apps shipping the same library name still warn (one would shadow the other)."""
    modules: defaultdict[str, set[str]] = defaultdict(set)
    for name, path in get_template_tag_modules():
        modules[name].add(path)
    engines: list[dict[str, Any]] = settings.TEMPLATES
    for engine in engines:
        options: dict[str, Any] = engine.get("OPTIONS", {})
        for name, path in options.get("libraries", {}).items():
            modules[name].add(path)
    warnings: list[CheckMessage] = []
    for name, paths in sorted(modules.items()):
        expected = OVERRIDDEN_LIBRARIES.get(name)
        if expected is not None and expected in paths and len(paths) == 2:
            continue
        if len(paths) > 1:
            warnings.append(
                Warning(
                    f"{name!r} is used for multiple template tag modules: "
                    + ", ".join(repr(p) for p in sorted(paths)),
                    id="core.W003",
                )
            )
    return warnings
