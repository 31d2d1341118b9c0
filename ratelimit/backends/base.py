"""The contract every rate-limit store implements.

A store keeps, per key, the times of the hits inside the last `window_ms` and
answers one question atomically: "may this hit happen now, and where does that
leave the key?". The caller passes the clock (`now_ms`) so that windows are
testable exactly and every app server agrees on a hit's timestamp.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Usage:
    """The state of one key after a check."""

    allowed: bool
    limit: int
    remaining: int
    reset_ms: int  # epoch ms when the oldest hit in the window leaves it (a slot frees)
    now_ms: int

    @property
    def retry_after(self) -> int:
        """Whole seconds until a slot frees; 0 when the hit was allowed."""
        if self.allowed:
            return 0
        return max(1, -(-(self.reset_ms - self.now_ms) // 1000))


class BaseBackend:
    """Abstract store. Implementations live in their own module in this package."""

    def hit(self, *, key: str, limit: int, window_ms: int, now_ms: int, cost: int = 1) -> Usage:
        """Record `cost` hits at `now_ms` if they fit under `limit` in the sliding window
        (now_ms - window_ms, now_ms]; a refused hit records nothing.

        Atomic: concurrent callers can never let more than `limit` hits through.
        `cost=0` only reads. Raises `ratelimit.exceptions.BackendUnavailable` when
        the store cannot be reached.
        """
        raise NotImplementedError("subclasses of BaseBackend must provide a hit() method")

    def release(self, *, key: str, hit_ms: int) -> bool:
        """Take back one hit recorded at `hit_ms`; True if there was one to take back.

        For attempts that count only when they fail (sign-in, password checks): the
        attempt is counted by `hit()` *before* it runs, so concurrent attempts can
        never exceed the limit, and released when it succeeds. Hits recorded at the
        same millisecond are interchangeable, so which one goes does not matter.
        Atomic; raises `BackendUnavailable` like `hit()`.
        """
        raise NotImplementedError("subclasses of BaseBackend must provide a release() method")

    def reset(self, *, key: str) -> bool:
        """Forget every hit of `key`; True if there was anything to forget."""
        raise NotImplementedError("subclasses of BaseBackend must provide a reset() method")

    def clear(self, *, prefix: str) -> int:
        """Delete every key that starts with `prefix`; return how many (tests, operators)."""
        raise NotImplementedError("subclasses of BaseBackend must provide a clear() method")
