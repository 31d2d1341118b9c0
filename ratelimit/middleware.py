"""Applies the rate-limit tiers to every request.

Position in MIDDLEWARE (enforced by a system check): after the authentication
middleware, because the api tier is keyed by `request.user`; before the tenant
middleware, so a refused request is answered before the membership query runs.
The work happens in `process_view`, where Django has already resolved the URL
(`request.resolver_match`), so auth views are matched by name without a second
`resolve()` per request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from ratelimit.backends import Usage
from ratelimit.policy import request_checks
from ratelimit.responses import apply_headers, rate_limited_response
from ratelimit.services import ratelimit_consume


class RateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        usage: Usage | None = getattr(request, "ratelimit", None)
        if usage is not None and "X-RateLimit-Limit" not in response.headers:
            apply_headers(response, usage)
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        """Consume this request's counters; set `request.ratelimit`; answer 429 if refused."""
        if not settings.RATELIMIT_ENABLED:
            return None
        decisive: Usage | None = None
        for check in request_checks(request):
            usage = ratelimit_consume(tier=check.tier, identity=check.identity)
            if usage is None:
                continue
            if decisive is None or not usage.allowed or usage.remaining < decisive.remaining:
                decisive = usage
            if not usage.allowed:
                # Later checks are skipped: a refused request costs nothing more.
                break
        request.ratelimit = decisive
        if decisive is not None and not decisive.allowed:
            return rate_limited_response(request, decisive)
        return None
