"""System check: the person's language and time zone are applied after Django has
chosen the visitor's language and after the user is known."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

USER_LOCALE_MW = "accounts.middleware.UserLocaleMiddleware"
# Each must come before it (any one of its alternatives): the first would overwrite the
# person's language with the browser's, the second sets request.user.
BEFORE = (
    ("core.locale.LocaleMiddleware", "django.middleware.locale.LocaleMiddleware"),
    ("sessions_app.middleware.AuthenticationMiddleware",),
)


@register()
def check_user_locale_middleware(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    middleware = list(settings.MIDDLEWARE)
    if USER_LOCALE_MW not in middleware:
        return []
    errors = []
    position = middleware.index(USER_LOCALE_MW)
    for alternatives in BEFORE:
        if not any(m in middleware[:position] for m in alternatives):
            earlier = alternatives[0]
            errors.append(
                Error(
                    f"{USER_LOCALE_MW} needs {earlier} above it in MIDDLEWARE.",
                    hint=f'Put "{earlier}" above "{USER_LOCALE_MW}".',
                    id="accounts.E001",
                )
            )
    return errors
