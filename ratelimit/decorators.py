"""Limits for single views: `@rate_limit(tier=...)` and `consume_or_429()`.

from ratelimit.decorators import consume_or_429

def resend_verification(request):
    if refused := consume_or_429(request, tier="email-send", key=str(request.user.pk)):
        return refused
    ...
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, cast

from django.http import HttpRequest, HttpResponse

from core.client_ip import client_ip
from ratelimit.keys import ip_identity
from ratelimit.policy import RateLimitedRequest
from ratelimit.responses import apply_headers, rate_limited_response
from ratelimit.services import ratelimit_consume

KeyFunc = Callable[[HttpRequest], str]


def consume_or_429(request: HttpRequest, *, tier: str, key: str) -> HttpResponse | None:
    """Count one hit of `key` on `tier`; return the 429 response if refused, else None.

    The resulting usage is kept on `request.ratelimit_view` so `rate_limit` can
    put the headers on the view's response.
    """
    usage = ratelimit_consume(tier=tier, identity=key)
    cast(RateLimitedRequest, request).ratelimit_view = usage  # the limiter's own attribute
    if usage is not None and not usage.allowed:
        key_type = key.partition("-")[0] if key.startswith(("user-", "ip-")) else "custom"
        return rate_limited_response(request, usage, tier=tier, key_type=key_type)
    return None


def user_or_ip(request: HttpRequest) -> str:
    """The signed-in user's id, else the client's IP (IPv6 by /64)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user-{user.pk}"
    return f"ip-{ip_identity(client_ip(request))}"


def rate_limit(
    *, tier: str, key: KeyFunc = user_or_ip, methods: Iterable[str] | None = ("POST",)
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Limit a view on `tier`, keyed by `key(request)`; only `methods` count (None: all)."""
    counted = {m.upper() for m in methods} if methods is not None else None

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: RateLimitedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if counted is not None and request.method not in counted:
                return view(request, *args, **kwargs)
            refused = consume_or_429(request, tier=tier, key=key(request))
            if refused is not None:
                return refused
            response = view(request, *args, **kwargs)
            if request.ratelimit_view is not None:
                apply_headers(response, request.ratelimit_view)
            return response

        return wrapped

    return decorator
