"""core.db.postgresql: Django's PostgreSQL backend, its timestamps parsed by psycopg's
compiled loader. Every value must be exactly what Django's own backend reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import connection, connections
from django.db.utils import DataError, load_backend
from django.test import override_settings
from psycopg.adapt import Transformer
from psycopg.pq import Format

from core.db.postgresql.base import TIMESTAMPTZ_OID, UtcTimestamptzLoader

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]

# Edges of the type and of the text format: whole seconds, one to six fractional
# digits, offsets of whole hours, minutes and seconds (historical zones), the first
# and last years Python has, a leap day, NULL.
VALUES = [
    "'2026-12-04 07:30:00+00'",
    "'2026-12-04 07:30:00.5+00'",
    "'2026-12-04 07:30:00.12+00'",
    "'2026-12-04 07:30:00.123456+00'",
    "'2026-03-29 01:30:00.000001+01'",
    "'2026-10-25 02:30:00-05:30'",
    "'1890-01-01 00:00:00+00:53:28'",
    "'0001-01-01 00:00:00+00'",
    "'9999-12-31 23:59:59.999999+00'",
    "'2024-02-29 12:00:00+14'",
    "'epoch'",
    "NULL",
]
QUERY = "SELECT " + ", ".join(f"({value})::timestamptz" for value in VALUES)
# The last year Python has ends before the last instant PostgreSQL has east of UTC.
IN_RANGE_EVERYWHERE = "SELECT " + ", ".join(
    f"({value})::timestamptz" for value in VALUES if not value.startswith("'9999")
)


@pytest.fixture
def stock() -> Iterator[Any]:
    """A second connection to the same database through Django's own backend."""
    backend = load_backend("django.db.backends.postgresql")
    wrapper = backend.DatabaseWrapper(
        {**connection.settings_dict, "ENGINE": "django.db.backends.postgresql"}, alias="stock"
    )
    yield wrapper
    wrapper.close()


def _read(wrapper: Any, sql: str, *, zone: str = "") -> tuple[Any, ...]:
    with wrapper.cursor() as cursor:
        if zone:
            cursor.execute("SELECT set_config('TimeZone', %s, false)", [zone])
        try:
            cursor.execute(sql)
            return tuple(cursor.fetchone())
        finally:
            if zone:
                cursor.execute("SELECT set_config('TimeZone', 'UTC', false)")


def _same(ours: tuple[Any, ...], theirs: tuple[Any, ...]) -> None:
    assert ours == theirs
    for mine, stock_value in zip(ours, theirs, strict=True):
        # Equal instants are not enough: the same zone object, as Django attaches it.
        assert getattr(mine, "tzinfo", None) is getattr(stock_value, "tzinfo", None)


def test_the_backend_is_ours_on_every_postgresql_database() -> None:
    for db in settings.DATABASES.values():
        assert db["ENGINE"] == "core.db.postgresql"
    assert connection.vendor == "postgresql"


def test_timestamps_read_exactly_as_djangos_backend_reads_them(stock: Any) -> None:
    ours, theirs = _read(connection, QUERY), _read(stock, QUERY)
    _same(ours, theirs)
    assert ours[-1] is None
    assert all(value.tzinfo is dt.UTC for value in ours[:-1])


def test_in_another_session_zone_the_zone_is_replaced_as_django_does(stock: Any) -> None:
    """Django relies on the session being in UTC and only swaps the zone of what it
    reads; should anything set another, both backends read the same (odd) values."""
    ours = _read(connection, IN_RANGE_EVERYWHERE, zone="Asia/Kolkata")
    theirs = _read(stock, IN_RANGE_EVERYWHERE, zone="Asia/Kolkata")
    _same(ours, theirs)
    # It did change something: 07:30 UTC reads as 13:00 "UTC" in that zone.
    assert ours[0] == dt.datetime(2026, 12, 4, 13, 0, tzinfo=dt.UTC)
    # And what Python cannot hold fails the same way on both.
    for wrapper in (connection, stock):
        with pytest.raises(DataError, match="after year 10K"):
            _read(wrapper, QUERY, zone="Asia/Kolkata")


def test_a_users_timestamps_are_the_same_through_either_backend(stock: Any, user: Any) -> None:
    user.last_login = dt.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC)
    user.save(update_fields=["last_login"])
    table = connection.ops.quote_name(user._meta.db_table)
    sql = f'SELECT "last_login", "date_joined" FROM {table} WHERE id = %s'  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk])
        ours = tuple(cursor.fetchone())
    with stock.cursor() as cursor:
        cursor.execute(sql, [user.pk])
        theirs = tuple(cursor.fetchone())
    _same(ours, theirs)
    assert ours == (user.last_login, user.date_joined)


def test_psycopgs_compiled_loader_does_the_parsing() -> None:
    connection.ensure_connection()
    raw = connection.connection
    assert raw.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT) is UtcTimestamptzLoader
    loader = Transformer.from_context(raw).get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    fastest = psycopg.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    # The instance calls the fastest loader's own method: no Python frame of ours.
    assert type(getattr(loader.load, "__self__", None)) is fastest
    if psycopg.pq.__impl__ in ("c", "binary"):
        assert fastest.__module__ != "psycopg.types.datetime"  # the C extension's


def test_without_use_tz_djangos_loader_stays() -> None:
    with override_settings(USE_TZ=False):
        wrapper = connections["default"].__class__(dict(connection.settings_dict), alias="naive")
        adapters = wrapper.get_connection_params()["context"]
        assert adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT) is not UtcTimestamptzLoader
    aware = connections["default"].__class__(dict(connection.settings_dict), alias="aware")
    adapters = aware.get_connection_params()["context"]
    assert adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT) is UtcTimestamptzLoader
