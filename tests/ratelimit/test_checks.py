"""System checks catch misconfigured tiers, backends and middleware order."""

from __future__ import annotations

from typing import Any

from ratelimit import checks


def ids(messages: list[Any]) -> list[str]:
    return [m.id for m in messages]


def test_the_project_configuration_passes() -> None:
    assert checks.check_tiers() == []
    assert checks.check_middleware_order() == []
    assert checks.check_client_ip() == []


def test_bad_rate_and_fail_mode_are_errors(settings: Any) -> None:
    settings.RATELIMIT_TIERS = {
        **settings.RATELIMIT_TIERS,
        "api": {"rate": "100 per minute", "when_unavailable": "panic"},
    }
    messages = checks.check_tiers()
    assert ids(messages) == ["ratelimit.E001", "ratelimit.E001"]
    assert 'e.g. "5/15m"' in messages[0].msg


def test_missing_tier_is_an_error(settings: Any) -> None:
    settings.RATELIMIT_TIERS = {k: v for k, v in settings.RATELIMIT_TIERS.items() if k != "serve"}
    assert "'serve'" in checks.check_tiers()[0].msg


def test_middleware_before_authentication_is_an_error(settings: Any) -> None:
    middleware = [m for m in settings.MIDDLEWARE if m != checks.MIDDLEWARE_PATH]
    settings.MIDDLEWARE = [checks.MIDDLEWARE_PATH, *middleware]
    assert ids(checks.check_middleware_order()) == ["ratelimit.E003"]


def test_middleware_after_tenants_is_an_error(settings: Any) -> None:
    middleware = [m for m in settings.MIDDLEWARE if m != checks.MIDDLEWARE_PATH]
    settings.MIDDLEWARE = [*middleware, checks.MIDDLEWARE_PATH]
    assert "before tenants" in checks.check_middleware_order()[0].msg


def test_missing_middleware_is_a_warning(settings: Any) -> None:
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != checks.MIDDLEWARE_PATH]
    assert ids(checks.check_middleware_order()) == ["ratelimit.W001"]


def test_redis_backend_without_a_redis_cache_is_an_error(settings: Any) -> None:
    settings.RATELIMIT_BACKEND = "ratelimit.backends.redis.RedisBackend"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert ids(checks.check_backend()) == ["ratelimit.E004"]


def test_unimportable_backend_is_an_error(settings: Any) -> None:
    settings.RATELIMIT_BACKEND = "ratelimit.backends.nope.NopeBackend"
    assert ids(checks.check_backend()) == ["ratelimit.E002"]


def test_bad_trusted_proxies_is_an_error(settings: Any) -> None:
    settings.TRUSTED_PROXIES = "10.0.0.0/8, proxy.internal"
    messages = checks.check_client_ip()
    assert ids(messages) == ["ratelimit.E005"] and "'proxy.internal'" in messages[0].msg
