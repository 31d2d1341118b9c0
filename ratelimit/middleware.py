"""Applies the rate-limit tiers to every request.

Position in MIDDLEWARE (enforced by a system check): after the authentication
middleware, because the signed-in tiers are keyed by `request.user`; before the
tenant middleware, so a refused request is answered before the membership query
runs. The counting happens in `process_view`, where Django has already resolved
the URL (`request.resolver_match`), so auth views are matched by name without a
second `resolve()` per request. A signed-in page costs one store round trip.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from ratelimit.backends import Usage
from ratelimit.devices import device_cookie_set
from ratelimit.policy import Check, RateLimitedRequest, request_checks
from ratelimit.responses import apply_headers, rate_limited_response
from ratelimit.services import ratelimit_consume, ratelimit_release
from ratelimit.sign_in import sign_in_settle


class RateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # login() replaces request.user; comparing identities evaluates nothing.
        user_before = getattr(request, "user", None)
        response = self.get_response(request)
        if not settings.RATELIMIT_ENABLED:
            return response
        user = getattr(request, "user", None)
        signed_in = user is not user_before and user is not None and user.is_authenticated
        counted: list[tuple[Check, Usage]] | None = getattr(request, "ratelimit_sign_in", None)
        if counted:
            sign_in_settle(request, counted=counted, signed_in=signed_in)
        if signed_in and user is not None:
            device_cookie_set(request, response, email=user.email)
        usage: Usage | None = getattr(request, "ratelimit", None)
        if usage is not None and "X-RateLimit-Limit" not in response.headers:
            apply_headers(response, usage)
        return response

    def process_view(
        self,
        request: RateLimitedRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        """Count this request's hits; set `request.ratelimit`; answer 429 if refused."""
        if not settings.RATELIMIT_ENABLED:
            return None
        decisive: Usage | None = None
        counted: list[tuple[Check, Usage]] = []
        for check in request_checks(request):
            usage = ratelimit_consume(tier=check.tier, identity=check.identity)
            if usage is None:
                continue
            if not usage.allowed:
                # A refused request costs nothing: the hits counted before it go back.
                for earlier, earlier_usage in counted:
                    ratelimit_release(
                        tier=earlier.tier, identity=earlier.identity, usage=earlier_usage
                    )
                request.ratelimit = usage
                return rate_limited_response(
                    request, usage, tier=check.tier, key_type=check.key_type
                )
            counted.append((check, usage))
            if decisive is None or usage.remaining < decisive.remaining:
                decisive = usage
        request.ratelimit = decisive
        request.ratelimit_sign_in = [(c, u) for c, u in counted if c.failures_only]
        return None
