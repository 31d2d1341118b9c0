"""Which tier applies to a request, and under which identity.

Matching uses the resolved URL name (`request.resolver_match`, set before
`process_view`), so moving a URL never silently drops its limit, and the lists
live in settings. First match wins: auth, then serve, then the signed-in tiers;
a signed-in request is counted against one tier only (one round trip), chosen by
what it is: the admin, the JSON API, a page view or htmx GET (`pages`), or a
state-changing request (`actions`). A page's twenty thumbnails must not eat a
user's budget, and an owner clicking through set-up must not run out of it.

Sign-in forms (auth views that name an email field) count *failures* only: the
middleware counts the attempt before the view runs, so concurrent guesses can
never exceed the limit, and takes it back when the sign-in succeeds.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

from core.client_ip import client_ip
from ratelimit.backends import Usage
from ratelimit.devices import known_device_id
from ratelimit.keys import account_identity, ip_identity

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Check:
    tier: str
    identity: str
    key_type: str  # "ip", "user", "account" or "device": for the security log
    failures_only: bool = False  # taken back when the sign-in succeeds


class RateLimitedRequest(HttpRequest):
    """What the limiter leaves on a request: the usage behind the X-RateLimit headers
    (middleware tiers, `@rate_limit` views) and the sign-in hits settled after the view."""

    ratelimit: Usage | None
    ratelimit_view: Usage | None
    ratelimit_sign_in: list[tuple[Check, Usage]]


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
    own: dict[str, tuple[str, bool]] = settings.RATELIMIT_OWN_BUDGET_VIEWS
    if name in own:
        if request.method != "POST":
            return []
        # failures_only: taken back when it signs the person in (sign_in_settle), like
        # a sign-in: an office accepting its invitations together is never paused.
        tier, failures_only = own[name]
        return [Check(tier, ip_identity(client_ip(request)), "ip", failures_only=failures_only)]
    auth_views: dict[str, str | None] = settings.RATELIMIT_AUTH_VIEWS
    if name in auth_views:
        # Rendering the form is free; only submissions count.
        if request.method != "POST":
            return []
        sign_in_form = auth_views[name] is not None
        ip = Check("auth", ip_identity(client_ip(request)), "ip", failures_only=sign_in_form)
        email = sign_in_email(request)
        if not email:
            return [ip]
        account = sign_in_account_check(request, email=email)
        if account.key_type == "device":
            # A browser that signed in to this account before has a budget of its own,
            # so a neighbour failing on purpose behind the same address (an office, a
            # carrier NAT) cannot pause it either.
            return [account]
        return [ip, account]
    if _namespace(request) in settings.RATELIMIT_SERVE_NAMESPACES:
        return [Check("serve", ip_identity(client_ip(request)), "ip")]
    # Anonymous visitors without a session cookie never load a session here.
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return []
    if not hasattr(request, "user"):
        raise ImproperlyConfigured(
            "RateLimitMiddleware needs request.user: put it after the authentication "
            "middleware in MIDDLEWARE (see config/settings.py)."
        )
    if request.user.is_authenticated:
        return [Check(signed_in_tier(request), str(request.user.pk), "user")]
    return []


def sign_in_email(request: HttpRequest) -> str:
    """The email posted to a sign-in form ("" for other views)."""
    name = _url_name(request)
    field = settings.RATELIMIT_AUTH_VIEWS.get(name) if name is not None else None
    return (request.POST.get(field) or "").strip() if field else ""


def signed_in_tier(request: HttpRequest) -> str:
    """The one tier a signed-in request counts against."""
    namespace = _namespace(request)
    if namespace in settings.RATELIMIT_ADMIN_NAMESPACES:
        return "admin"
    if namespace in settings.RATELIMIT_API_NAMESPACES:
        return "api"
    return "pages" if request.method in SAFE_METHODS else "actions"


def sign_in_account_check(request: HttpRequest, *, email: str) -> Check:
    """Failed sign-ins to one account count per account, unless this browser has
    signed in to it before: then they count against the device (see devices.py)."""
    device = known_device_id(request, email=email)
    if device is not None:
        return Check("auth-device", device, "device", failures_only=True)
    return Check("auth-account", account_identity(email), "account", failures_only=True)
