"""System checks: our engine and middleware are in place, the session cap is sane, and
in production the session cookie is Secure, HttpOnly and SameSite.

Django's own cookie checks (security.W010-W013) look for
django.contrib.sessions' middleware only, so they are silent for ours.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

ENGINE = "sessions_app.backends.db"
SESSION_MW = "sessions_app.middleware.SessionMiddleware"
AUTH_MW = "sessions_app.middleware.AuthenticationMiddleware"
DJANGO_SESSION_MW = "django.contrib.sessions.middleware.SessionMiddleware"
DJANGO_AUTH_MW = "django.contrib.auth.middleware.AuthenticationMiddleware"


@register(Tags.security)
def check_engine_and_middleware(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = []
    middleware = list(settings.MIDDLEWARE)
    if settings.SESSION_ENGINE != ENGINE:
        errors.append(
            Error(
                f"SESSION_ENGINE is {settings.SESSION_ENGINE!r}; Pacetrack sessions need ours.",
                hint=f'Set SESSION_ENGINE = "{ENGINE}" in config/settings.py.',
                id="sessions_app.E001",
            )
        )
    for ours, django_path in ((SESSION_MW, DJANGO_SESSION_MW), (AUTH_MW, DJANGO_AUTH_MW)):
        if ours not in middleware:
            errors.append(
                Error(
                    f"{ours} is missing from MIDDLEWARE.",
                    hint=(
                        f'Replace "{django_path}" with "{ours}" in MIDDLEWARE.'
                        if django_path in middleware
                        else f'Add "{ours}" to MIDDLEWARE.'
                    ),
                    id="sessions_app.E002",
                )
            )
    in_wrong_order = (
        SESSION_MW in middleware
        and AUTH_MW in middleware
        and middleware.index(SESSION_MW) > middleware.index(AUTH_MW)
    )
    if in_wrong_order:
        errors.append(
            Error(
                f"{SESSION_MW} must come before {AUTH_MW} in MIDDLEWARE.",
                hint=f'Move "{SESSION_MW}" above "{AUTH_MW}".',
                id="sessions_app.E003",
            )
        )
    limit = getattr(settings, "SESSIONS_MAX_PER_USER", 0)
    if not isinstance(limit, int) or limit < 0:
        errors.append(
            Error(
                f"SESSIONS_MAX_PER_USER is {limit!r}; it must be a whole number, 0 for no cap.",
                hint="Set SESSIONS_MAX_PER_USER to 0 (no cap) or the most sessions a user may "
                "hold at once, e.g. 5.",
                id="sessions_app.E004",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def check_session_cookie(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Production only (`check --deploy`): the cookie is a bearer credential."""
    errors = []
    if not settings.SESSION_COOKIE_SECURE:
        errors.append(
            Error(
                "SESSION_COOKIE_SECURE is off: the session cookie would be sent over plain HTTP.",
                hint="Set SESSION_COOKIE_SECURE = True (unset the SESSION_COOKIE_SECURE "
                "variable; it defaults to on when DEBUG is off).",
                id="sessions_app.E010",
            )
        )
    if not settings.SESSION_COOKIE_HTTPONLY:
        errors.append(
            Error(
                "SESSION_COOKIE_HTTPONLY is off: scripts could read the session cookie.",
                hint="Set SESSION_COOKIE_HTTPONLY = True.",
                id="sessions_app.E011",
            )
        )
    if str(settings.SESSION_COOKIE_SAMESITE) not in ("Lax", "Strict"):
        errors.append(
            Error(
                f"SESSION_COOKIE_SAMESITE is {settings.SESSION_COOKIE_SAMESITE!r}: other sites "
                "could send requests carrying the session cookie.",
                hint='Set SESSION_COOKIE_SAMESITE = "Lax" (or "Strict").',
                id="sessions_app.E012",
            )
        )
    return errors
