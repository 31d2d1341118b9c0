"""Reads that may go to a read replica, chosen explicitly per read (docs/scaling.md).

Nothing is routed to the replica by default: a view or selector opts in by reading
`.using(replica_alias(request))`, and only where a little lag is harmless (the audit
log list, the data export, admin list pages). Sessions, memberships and everything
else security-relevant read the primary, because a revocation must take effect at
once. The replica is skipped (the answer is "default") when

- no `DATABASE_REPLICA_URL` is set (no `replica` alias),
- the request is not a GET/HEAD, or the browser wrote within the last
  `DATABASE_REPLICA_PIN_SECONDS` (read-your-writes, a signed cookie set by
  `ReplicaPinMiddleware`),
- the replica is unreachable or lags more than `DATABASE_REPLICA_MAX_LAG` seconds,
  checked at most every `DATABASE_REPLICA_CHECK_SECONDS` per process.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
_PIN_SALT = "core.replica.pin"
_WRITES = ("INSERT", "UPDATE", "DELETE")

logger = logging.getLogger("pacetrack.replica")

# alias -> (checked at, usable): one lag query per process per check interval.
_health: dict[str, tuple[float, bool]] = {}

# Seconds the replica is behind: 0 when it has replayed everything it received (an
# idle primary sends nothing, so the last replay time alone would look like lag).
_LAG_SQL = """
SELECT CASE
  WHEN NOT pg_is_in_recovery() THEN 0
  WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
  ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
END
"""


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_alias(request: HttpRequest) -> str:
    """The alias a lag-tolerant read for this request should use."""
    if not replica_configured() or request.method not in ("GET", "HEAD"):
        return DEFAULT_DB_ALIAS
    if replica_pinned(request):
        return DEFAULT_DB_ALIAS
    return REPLICA if replica_usable() else DEFAULT_DB_ALIAS


def _pin_cookie() -> str:
    # __Host- like the session cookie: a sibling subdomain cannot plant or shadow it.
    return ("__Host-" if settings.SESSION_COOKIE_SECURE else "") + "pacetrack-primary"


def replica_pinned(request: HttpRequest) -> bool:
    """Whether this browser wrote recently and must read its own writes."""
    pin = request.get_signed_cookie(
        _pin_cookie(), default=None, salt=_PIN_SALT, max_age=settings.DATABASE_REPLICA_PIN_SECONDS
    )
    return pin is not None


def replica_lag() -> float:
    """Seconds the replica is behind the primary; raises DatabaseError when it is down."""
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(_LAG_SQL)
        row = cursor.fetchone()
    return float(row[0]) if row else 0.0


def replica_usable() -> bool:
    """Up and within the lag threshold, as last checked (cached per process)."""
    now = time.monotonic()
    checked = _health.get(REPLICA)
    if checked is not None and now - checked[0] < settings.DATABASE_REPLICA_CHECK_SECONDS:
        return checked[1]
    try:
        lag = replica_lag()
        usable = lag <= settings.DATABASE_REPLICA_MAX_LAG
        if not usable:
            logger.warning("replica lags %.1f s: reading from the primary", lag)
    except DatabaseError as exc:
        usable = False
        logger.warning("replica unavailable (%s): reading from the primary", exc)
        connections[REPLICA].close()
    _health[REPLICA] = (now, usable)
    return usable


def replica_health_forget() -> None:
    """Check the replica again on the next read (tests, and after a failed read)."""
    _health.clear()


@contextmanager
def _writes_watched() -> Iterator[list[bool]]:
    wrote = [False]

    def watch(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        if not wrote[0] and sql.lstrip().upper().startswith(_WRITES):
            wrote[0] = True
        return execute(sql, *args)

    with connection.execute_wrapper(watch):
        yield wrote


class ReplicaPinMiddleware:
    """After a request that wrote to the primary, the browser reads from the primary
    for `DATABASE_REPLICA_PIN_SECONDS` (a signed cookie): nobody misses their own write
    because the replica has not replayed it yet. Without a replica it takes itself out
    of the stack when the handler loads (no call per request)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not replica_configured():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_configured() or request.method in ("GET", "HEAD", "OPTIONS"):
            return self.get_response(request)
        with _writes_watched() as wrote:
            response = self.get_response(request)
        if wrote[0]:
            seconds = settings.DATABASE_REPLICA_PIN_SECONDS
            response.set_signed_cookie(
                _pin_cookie(),
                "1",
                salt=_PIN_SALT,
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
