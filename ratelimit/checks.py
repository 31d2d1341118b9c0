"""System checks: rate-limit settings and middleware order."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.core.checks import CheckMessage, Error, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from core.client_ip import _meta_key, trusted_proxies
from ratelimit.backends.redis import RedisBackend
from ratelimit.rates import parse_rate
from ratelimit.services import WHEN_UNAVAILABLE

MIDDLEWARE_PATH = "ratelimit.middleware.RateLimitMiddleware"
# Tiers the code consumes by name (the middleware, sign-in, password checks, resets,
# second-factor codes).
REQUIRED_TIERS = (
    "auth",
    "auth-account",
    "auth-device",
    "auth-reset",
    "auth-notice",
    "auth-signup",
    "auth-signup-ip",
    "auth-invite",
    "auth-recovery",
    "password-check",
    "mfa",
    "mfa-account",
    "mfa-device",
    "mfa-notice",
    "serve",
    "pages",
    "actions",
    "admin",
    "api",
)


def _import(path: str) -> Any:
    try:
        return import_string(path)
    except ImportError:
        return None


@register("ratelimit")
def check_tiers(**kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    tiers = getattr(settings, "RATELIMIT_TIERS", {})
    for tier in REQUIRED_TIERS:
        if tier not in tiers:
            errors.append(
                Error(f"RATELIMIT_TIERS has no {tier!r} tier.", hint="Add it.", id="ratelimit.E001")
            )
    for tier, conf in tiers.items():
        try:
            parse_rate(conf.get("rate", ""))
        except ImproperlyConfigured as exc:
            errors.append(Error(f"RATELIMIT_TIERS[{tier!r}]: {exc}", id="ratelimit.E001"))
        mode = conf.get("when_unavailable", "fail_open")
        if mode not in WHEN_UNAVAILABLE:
            errors.append(
                Error(
                    f"RATELIMIT_TIERS[{tier!r}]['when_unavailable'] is {mode!r}.",
                    hint=f"Use one of {', '.join(WHEN_UNAVAILABLE)}.",
                    id="ratelimit.E001",
                )
            )
    return errors


@register("ratelimit")
def check_backend(**kwargs: Any) -> list[CheckMessage]:
    path = settings.RATELIMIT_BACKEND
    backend = _import(path)
    if backend is None:
        return [Error(f"RATELIMIT_BACKEND {path!r} cannot be imported.", id="ratelimit.E002")]
    if issubclass(backend, RedisBackend):
        alias = settings.RATELIMIT_CACHE_ALIAS
        conf = settings.CACHES.get(alias, {})
        if not conf.get("BACKEND", "").startswith("django_redis."):
            return [
                Error(
                    f"RATELIMIT_BACKEND is Redis but CACHES[{alias!r}] is not django-redis.",
                    hint="Set REDIS_URL, or use ratelimit.backends.memory.MemoryBackend.",
                    id="ratelimit.E004",
                )
            ]
    return []


@register("ratelimit")
def check_middleware_order(**kwargs: Any) -> list[CheckMessage]:
    middleware = list(settings.MIDDLEWARE)
    if MIDDLEWARE_PATH not in middleware:
        return [
            Warning(
                f"{MIDDLEWARE_PATH} is not in MIDDLEWARE: requests are not rate limited.",
                id="ratelimit.W001",
            )
        ]
    ours = middleware.index(MIDDLEWARE_PATH)
    auth = [
        i
        for i, path in enumerate(middleware)
        if isinstance(cls := _import(path), type) and issubclass(cls, AuthenticationMiddleware)
    ]
    errors: list[CheckMessage] = []
    if not auth or auth[0] > ours:
        errors.append(
            Error(
                f"{MIDDLEWARE_PATH} must come after the authentication middleware.",
                hint="The signed-in tiers are keyed by request.user: move it below authentication.",
                id="ratelimit.E003",
            )
        )
    tenant = "tenants.middleware.TenantMiddleware"
    if tenant in middleware and middleware.index(tenant) < ours:
        errors.append(
            Error(
                f"{MIDDLEWARE_PATH} must come before {tenant}.",
                hint="A refused request should be answered before the membership query runs.",
                id="ratelimit.E003",
            )
        )
    return errors


@register("ratelimit")
def check_client_ip(**kwargs: Any) -> list[CheckMessage]:
    try:
        trusted_proxies(settings.TRUSTED_PROXIES)
        _meta_key(settings.CLIENT_IP_HEADER)
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="ratelimit.E005")]
    return []
