"""Consume, inspect and reset rate-limit counters by tier.

Tiers live in `settings.RATELIMIT_TIERS`; each names a readable rate and what to
do when the store is unreachable: `"fail_open"` (let the request through, no
headers) or `"memory"` (count in this process instead, so a brute-force attempt
stays limited while Redis is down). Either way the request never gets a 500.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ratelimit.backends import Usage, get_backend
from ratelimit.backends.memory import MemoryBackend
from ratelimit.exceptions import BackendUnavailable
from ratelimit.keys import KEY_MARKER, counter_key
from ratelimit.rates import Rate, parse_rate

logger = logging.getLogger("pacetrack.ratelimit")

WHEN_UNAVAILABLE = ("fail_open", "memory")
WARN_INTERVAL_S = 60.0

# Used only while the configured store is down, for tiers set to "memory".
default_fallback = MemoryBackend()

_warn_lock = threading.Lock()
_last_warning = float("-inf")


def tier_config(tier: str) -> dict:
    try:
        return settings.RATELIMIT_TIERS[tier]
    except KeyError:
        raise ImproperlyConfigured(
            f"Unknown rate-limit tier {tier!r}: add it to RATELIMIT_TIERS in config/settings.py."
        ) from None


def tier_rate(tier: str) -> Rate:
    return parse_rate(tier_config(tier)["rate"])


def now_ms() -> int:
    return int(time.time() * 1000)


def ratelimit_consume(
    *, tier: str, identity: str, cost: int = 1, rate: Rate | None = None
) -> Usage | None:
    """Count one hit of `identity` against `tier` (at `rate` when the caller has its own,
    e.g. the API's rate per plan; else the tier's).

    Returns the resulting Usage (check `.allowed`), or None when nothing was
    checked: limiting is disabled, or the store is down and the tier fails open.
    """
    if not settings.RATELIMIT_ENABLED:
        return None
    rate = rate or tier_rate(tier)
    key = counter_key(tier, identity)
    now = now_ms()
    try:
        return get_backend().hit(
            key=key, limit=rate.limit, window_ms=rate.window_ms, now_ms=now, cost=cost
        )
    except BackendUnavailable as exc:
        mode = tier_config(tier).get("when_unavailable", "fail_open")
        _warn_unavailable(exc, mode=mode)
        if mode == "memory":
            return default_fallback.hit(
                key=key, limit=rate.limit, window_ms=rate.window_ms, now_ms=now, cost=cost
            )
        return None


def ratelimit_release(*, tier: str, identity: str, usage: Usage | None) -> None:
    """Take back the hit that produced `usage`: the attempt turned out not to count
    (a correct password). No-op for None (nothing was counted)."""
    if usage is None or not usage.allowed:
        return
    key = counter_key(tier, identity)
    try:
        released = get_backend().release(key=key, hit_ms=usage.now_ms)
    except BackendUnavailable as exc:
        _warn_unavailable(exc, mode=tier_config(tier).get("when_unavailable", "fail_open"))
        released = False
    if not released:
        # Counted in this process's fallback while the store was down.
        default_fallback.release(key=key, hit_ms=usage.now_ms)


def ratelimit_status(*, tier: str, identity: str) -> Usage:
    """The current state of a counter, without counting a hit."""
    rate = tier_rate(tier)
    return get_backend().hit(
        key=counter_key(tier, identity),
        limit=rate.limit,
        window_ms=rate.window_ms,
        now_ms=now_ms(),
        cost=0,
    )


def ratelimit_reset(*, tier: str, identity: str) -> bool:
    """Forget a counter (in the store and in this process's fallback)."""
    key = counter_key(tier, identity)
    in_fallback = default_fallback.reset(key=key)
    return get_backend().reset(key=key) or in_fallback


def ratelimit_clear_all() -> int:
    """Delete every counter under this deployment's RATELIMIT_KEY_PREFIX (tests)."""
    prefix = f"{settings.RATELIMIT_KEY_PREFIX}{KEY_MARKER}"
    default_fallback.clear(prefix=prefix)
    return get_backend().clear(prefix=prefix)


def _warn_unavailable(exc: BackendUnavailable, *, mode: str) -> None:
    """Log at most one warning a minute per process: an outage must not flood the logs."""
    global _last_warning
    with _warn_lock:
        if time.monotonic() - _last_warning < WARN_INTERVAL_S:
            return
        _last_warning = time.monotonic()
    logger.warning(
        "Rate-limit store unavailable (%s); tiers fall back to their when_unavailable mode "
        "(this one: %s). Next warning in %ds at the earliest.",
        exc,
        mode,
        int(WARN_INTERVAL_S),
    )


def reset_warning_throttle() -> None:
    """Allow the next outage warning immediately (tests)."""
    global _last_warning
    with _warn_lock:
        _last_warning = float("-inf")
