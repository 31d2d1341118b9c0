"""System checks: our engine and middleware are in place, the session cap is sane, and
in production the session and CSRF cookies are `__Host-` cookies (Secure, Path=/, no
Domain), the session cookie HttpOnly, both SameSite.

Django's own cookie checks (security.W010-W013) look for
django.contrib.sessions' middleware only, so they are silent for ours, and none
of Django's checks looks at cookie prefixes, paths or domains.
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
    return _cookie_errors("SESSION", what="the session cookie", first_id=10, httponly=True)


@register(Tags.security, deploy=True)
def check_csrf_cookie(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Production only: a CSRF cookie planted by a sibling subdomain would defeat CSRF.

    Not HttpOnly: that protects nothing here (Django's docs), and htmx reads the
    token from a meta tag anyway."""
    return _cookie_errors("CSRF", what="the CSRF cookie", first_id=20, httponly=False)


def _cookie_errors(kind: str, *, what: str, first_id: int, httponly: bool) -> list[Error]:
    """Secure, HttpOnly, SameSite, the `__Host-` prefix, then Path=/ and no Domain, for
    `<kind>_COOKIE_*`: ids first_id to first_id + 4, in that order."""

    def value(name: str) -> Any:
        return getattr(settings, f"{kind}_COOKIE_{name}")

    problems: list[tuple[int, str, str]] = []
    if not value("SECURE"):
        problems.append(
            (
                0,
                f"{kind}_COOKIE_SECURE is off: {what} would be sent over plain HTTP.",
                f"Unset the {kind}_COOKIE_SECURE variable (it defaults to on when DEBUG is off).",
            )
        )
    if httponly and not value("HTTPONLY"):
        problems.append(
            (
                1,
                f"{kind}_COOKIE_HTTPONLY is off: scripts could read {what}.",
                f"Set {kind}_COOKIE_HTTPONLY = True.",
            )
        )
    if str(value("SAMESITE")) not in ("Lax", "Strict"):
        problems.append(
            (
                2,
                f"{kind}_COOKIE_SAMESITE is {value('SAMESITE')!r}: other sites could send "
                f"requests carrying {what}.",
                f'Set {kind}_COOKIE_SAMESITE = "Lax" (or "Strict").',
            )
        )
    if not str(value("NAME")).startswith("__Host-"):
        problems.append(
            (
                3,
                f"{kind}_COOKIE_NAME {value('NAME')!r} has no __Host- prefix: a sibling "
                "subdomain could set or overwrite it.",
                f"Keep {kind}_COOKIE_SECURE on; the name takes the prefix from it "
                "(config/settings.py).",
            )
        )
    if value("PATH") != "/" or value("DOMAIN"):
        problems.append(
            (
                4,
                f"{kind}_COOKIE_PATH is {value('PATH')!r} and {kind}_COOKIE_DOMAIN "
                f"{value('DOMAIN')!r}: a __Host- cookie needs Path=/ and no Domain, or "
                "browsers drop it.",
                f'Set {kind}_COOKIE_PATH = "/" and {kind}_COOKIE_DOMAIN = None.',
            )
        )
    return [
        Error(message, hint=hint, id=f"sessions_app.E{first_id + offset:03d}")
        for offset, message, hint in problems
    ]
