"""In-process store with the same semantics as the Redis one.

The embedded default when REDIS_URL is unset, and the per-process fallback for
tiers configured `when_unavailable: "memory"`. Counters are per process: with
N workers a client gets up to N times the limit, which is why production uses
Redis.
"""

from __future__ import annotations

import bisect
import threading

from ratelimit.backends.base import BaseBackend, Usage

# Sweep keys whose newest hit has left its window every this many hits, so an
# attacker cycling through identities cannot grow the dict without bound.
SWEEP_EVERY = 1_000


class MemoryBackend(BaseBackend):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hits: dict[str, list[int]] = {}
        self._expires: dict[str, int] = {}
        self._ops = 0

    def hit(self, *, key: str, limit: int, window_ms: int, now_ms: int, cost: int = 1) -> Usage:
        with self._lock:
            self._ops += 1
            if self._ops % SWEEP_EVERY == 0:
                self._sweep(now_ms)
            hits = self._hits.get(key, [])
            del hits[: bisect.bisect_right(hits, now_ms - window_ms)]
            allowed = len(hits) + cost <= limit if cost else len(hits) < limit
            if cost and allowed:
                for _ in range(cost):
                    bisect.insort(hits, now_ms)
                self._expires[key] = max(self._expires.get(key, 0), now_ms + window_ms)
            if hits:
                self._hits[key] = hits
            else:
                self._hits.pop(key, None)
                self._expires.pop(key, None)
            reset_ms = hits[0] + window_ms if hits else now_ms
            return Usage(
                allowed=allowed,
                limit=limit,
                remaining=max(0, limit - len(hits)),
                reset_ms=reset_ms,
                now_ms=now_ms,
            )

    def release(self, *, key: str, hit_ms: int) -> bool:
        with self._lock:
            hits = self._hits.get(key)
            if not hits:
                return False
            index = bisect.bisect_left(hits, hit_ms)
            if index == len(hits) or hits[index] != hit_ms:
                return False
            del hits[index]
            if not hits:
                self._hits.pop(key, None)
                self._expires.pop(key, None)
            return True

    def reset(self, *, key: str) -> bool:
        with self._lock:
            self._expires.pop(key, None)
            return bool(self._hits.pop(key, None))

    def clear(self, *, prefix: str) -> int:
        with self._lock:
            doomed = [key for key in self._hits if key.startswith(prefix)]
            for key in doomed:
                self._hits.pop(key, None)
                self._expires.pop(key, None)
            return len(doomed)

    def _sweep(self, now_ms: int) -> None:
        for key in [key for key, expires in self._expires.items() if expires <= now_ms]:
            self._hits.pop(key, None)
            self._expires.pop(key, None)
