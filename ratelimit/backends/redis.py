"""Redis store: a sliding-window log in a sorted set, one EVALSHA per check.

Why our own script and not the `limits` library (5.x, installed): its moving
window `hit()` answers only allowed/refused, and the remaining count and reset
time need a second script call (`get_window_stats`), i.e. two round trips per
request to emit X-RateLimit-* headers. It also reads the clock itself, so tests
cannot control it, and opens its own connection pool. The script below prunes,
counts, records and reports in one atomic call; the caller supplies the clock.

A refused hit is not recorded, so a client that keeps hammering gets back in as
soon as its oldest accepted hit leaves the window. Each key expires on its own
one window after its newest hit.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING, Any

from django.conf import settings
from redis.exceptions import NoScriptError, RedisError

from ratelimit.backends.base import BaseBackend, Usage
from ratelimit.exceptions import BackendUnavailable

if TYPE_CHECKING:
    from redis import Redis

# KEYS[1] = counter; ARGV = now_ms, window_ms, limit, cost, unique member prefix.
# Returns {allowed (0/1), hits in window, oldest hit's score}.
SLIDING_WINDOW_LUA = """
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
local allowed = 0
if cost == 0 then
  if count < limit then allowed = 1 end
elseif count + cost <= limit then
  for i = 1, cost do
    redis.call('ZADD', key, now, ARGV[5] .. i)
  end
  count = count + cost
  allowed = 1
  redis.call('PEXPIRE', key, window)
end
local oldest = now
if count > 0 then
  oldest = tonumber(redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2])
end
return {allowed, count, oldest}
"""
# KEYS[1] = counter; ARGV[1] = the hit's score. Removes one member with that score.
RELEASE_LUA = """
local found = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1], 'LIMIT', 0, 1)
if found[1] then
  return redis.call('ZREM', KEYS[1], found[1])
end
return 0
"""


def _sha(script: str) -> str:
    return hashlib.sha1(script.encode()).hexdigest()  # noqa: S324 - Redis names scripts by SHA-1


SLIDING_WINDOW_SHA = _sha(SLIDING_WINDOW_LUA)
RELEASE_SHA = _sha(RELEASE_LUA)


class RedisBackend(BaseBackend):
    """Uses django-redis's pool for the cache alias `RATELIMIT_CACHE_ALIAS`."""

    def _connection(self) -> Redis:
        from django_redis import get_redis_connection

        return get_redis_connection(settings.RATELIMIT_CACHE_ALIAS)

    def _script(self, script: str, sha: str, key: str, *args: str | int) -> Any:
        """Run `script` on `key` in one round trip (EVALSHA; EVAL once per server)."""
        try:
            conn = self._connection()
            try:
                return conn.evalsha(sha, 1, key, *args)
            except NoScriptError:
                # First call on this server (or after SCRIPT FLUSH): EVAL caches it.
                return conn.eval(script, 1, key, *args)
        except RedisError as exc:
            raise BackendUnavailable(f"{type(exc).__name__}: {exc}") from exc

    def hit(self, *, key: str, limit: int, window_ms: int, now_ms: int, cost: int = 1) -> Usage:
        args = (now_ms, window_ms, limit, cost, f"{now_ms}-{secrets.token_hex(6)}-")
        allowed, count, oldest = self._script(SLIDING_WINDOW_LUA, SLIDING_WINDOW_SHA, key, *args)
        return Usage(
            allowed=bool(allowed),
            limit=limit,
            remaining=max(0, limit - int(count)),
            reset_ms=int(oldest) + window_ms if int(count) else now_ms,
            now_ms=now_ms,
        )

    def release(self, *, key: str, hit_ms: int) -> bool:
        return bool(self._script(RELEASE_LUA, RELEASE_SHA, key, hit_ms))

    def reset(self, *, key: str) -> bool:
        try:
            return bool(self._connection().delete(key))
        except RedisError as exc:
            raise BackendUnavailable(f"{type(exc).__name__}: {exc}") from exc

    def clear(self, *, prefix: str) -> int:
        pattern = "".join(f"\\{c}" if c in "*?[]\\" else c for c in prefix) + "*"
        try:
            conn = self._connection()
            keys = list(conn.scan_iter(match=pattern, count=500))
            return conn.delete(*keys) if keys else 0
        except RedisError as exc:
            raise BackendUnavailable(f"{type(exc).__name__}: {exc}") from exc
