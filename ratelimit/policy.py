"""Which tier applies to a request, and under which identity.

Matching uses the resolved URL name (`request.resolver_match`, set before
`process_view`), so moving a URL never silently drops its limit, and the lists
live in settings. First match wins: auth, then serve, then api; a request is
counted against one tier only (a page's twenty thumbnails must not eat a
signed-in user's api budget).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

from config.client_ip import client_ip
from ratelimit.keys import account_identity, ip_identity


@dataclass(frozen=True)
class Check:
    tier: str
    identity: str


def _url_name(request: HttpRequest) -> str | None:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else None


def _namespace(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return match.namespace if match is not None else ""


def request_checks(request: HttpRequest) -> list[Check]:
    """The counters this request consumes, most important first (may be empty)."""
    name = _url_name(request)
    if name in settings.RATELIMIT_EXEMPT_VIEWS:
        return []
    if request.path.startswith((settings.STATIC_URL or "/static/", "/favicon.ico")):
        return []
    auth_views: dict[str, str | None] = settings.RATELIMIT_AUTH_VIEWS
    if name in auth_views:
        # Rendering the form is free; only submissions count.
        if request.method != "POST":
            return []
        checks = [Check("auth", ip_identity(client_ip(request)))]
        field = auth_views[name]
        email = (request.POST.get(field) or "").strip() if field else ""
        if email:
            checks.append(Check("auth-account", account_identity(email)))
        return checks
    if _namespace(request) in settings.RATELIMIT_SERVE_NAMESPACES:
        return [Check("serve", ip_identity(client_ip(request)))]
    # Anonymous visitors without a session cookie never load a session here.
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return []
    if not hasattr(request, "user"):
        raise ImproperlyConfigured(
            "RateLimitMiddleware needs request.user: put it after the authentication "
            "middleware in MIDDLEWARE (see config/settings.py)."
        )
    if request.user.is_authenticated:
        return [Check("api", str(request.user.pk))]
    return []
