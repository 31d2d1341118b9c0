"""Django's PostgreSQL backend, reading timestamps with psycopg's compiled loader.

Django registers its own loader for `timestamptz` (a subclass of psycopg's pure-Python
one, to attach the connection's time zone), so with psycopg's C extension installed
every timestamp of every row is still parsed in Python: about 5 µs each against 0.4
with psycopg's compiled loader, a tenth of the API's member list and a twentieth of the
devices page (docs/performance.md). Django cannot subclass the compiled loader (it is
final; Django ticket #36960, psycopg issue #1273), so this loader holds one and calls
its `load` directly.

The values are the same ones Django gives: with `USE_TZ` Django sets the session's
TimeZone to UTC, and psycopg's loader then attaches `datetime.timezone.utc` itself.
Were the session in another zone, the loader replaces the zone as Django's does.
Anything but `USE_TZ` with no per-database TIME_ZONE keeps Django's loader.
ENGINE "core.db.postgresql" (config/settings.py sets it for every PostgreSQL database).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

import psycopg
from django.db.backends.postgresql import base
from psycopg.abc import AdaptContext
from psycopg.adapt import AdaptersMap, Loader
from psycopg.postgres import types
from psycopg.pq import Format

TIMESTAMPTZ_OID = types["timestamptz"].oid
_SAMPLE = b"2000-01-01 00:00:00+00"


class UtcTimestamptzLoader(Loader):
    """`timestamptz` as an aware datetime in UTC, parsed by psycopg's fastest loader."""

    # Django's create_cursor compares it with the connection's zone: equal, so Django
    # does not register its own loader on each cursor.
    timezone = dt.UTC

    def __init__(self, oid: int, context: AdaptContext | None = None):
        super().__init__(oid, context)
        # The compiled loader with psycopg's C extension, the Python one without it.
        fastest = psycopg.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
        assert fastest is not None  # psycopg registers every builtin type
        parse = fastest(oid, context).load
        # It attaches the session's zone (read from the connection now): UTC, as Django
        # sets it, gives dt.UTC itself and the values need nothing more.
        try:
            exact = parse(_SAMPLE).tzinfo is dt.UTC
        except (psycopg.Error, NotImplementedError):  # a DateStyle it cannot read: as Django
            exact = False
        if exact:
            self.load = parse  # type: ignore[method-assign]
        else:
            self.load = lambda data: parse(data).replace(tzinfo=dt.UTC)  # type: ignore[method-assign]

    def load(self, data: Any) -> dt.datetime:  # replaced per instance in __init__
        raise NotImplementedError


@cache
def _with_fast_timestamps(template: AdaptersMap) -> AdaptersMap:
    adapters = AdaptersMap(template)
    adapters.register_loader(TIMESTAMPTZ_OID, UtcTimestamptzLoader)
    return adapters


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict[str, Any]:
        params: dict[str, Any] = super().get_connection_params()
        # dt.UTC exactly when USE_TZ is on and the database sets no TIME_ZONE of its own.
        if self.timezone is dt.UTC:
            params["context"] = _with_fast_timestamps(params["context"])
        return params
