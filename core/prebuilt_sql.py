"""Fixed SQL for the lookups every signed-in request makes, built once per process.

Compiling a `select_related(...).get(...)` costs the ORM more on each request than
PostgreSQL needs to answer it: 0.85 ms through the ORM against 0.2 ms as a prepared
statement for the session lookup (`python -m bench.lookup_cost` measures it; figures in
docs/performance.md). The SQL of these
lookups never changes, so it is written out once; psycopg prepares it after its first
run. Rows still pass through every field's database converters and `Model.from_db`, so
callers get ordinary model instances, identical to what the ORM would have built.

Use it only for hot, fixed lookups; everything else goes through the ORM.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model


def select_list(model: type[Model], alias: str) -> str:
    """`alias."col1", alias."col2", …` for every concrete column of `model`, in field order."""
    quote = connection.ops.quote_name
    # A field is concrete exactly when it has a column (Field.concrete), so column is a str.
    return ", ".join(f"{alias}.{quote(cast(str, f.column))}" for f in model._meta.concrete_fields)


def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def json_rows(
    columns: Sequence[str],
    source: str,
    order_by: str,
    limit: int | None = None,
    *,
    pick_by: str | None = None,
) -> str:
    """A scalar subquery: the first `limit` rows of `source` (`FROM … WHERE …`) ordered by
    `order_by`, as one JSON array of arrays of `columns`; `[]` when there are none. Lets
    a prebuilt statement bring short lists along with its row (read them with
    `json_value` or `json_instances`). With `pick_by`, the rows kept are the first
    `limit` by `pick_by`, still listed by `order_by`."""
    # Callers pass SQL written in their code (identifiers from model metadata); every
    # value stays a query parameter.
    cols = ", ".join(columns)
    limit_sql = f" LIMIT {int(limit)}" if limit is not None else ""
    pick = pick_by or order_by
    if connection.vendor == "postgresql":
        # The row number carries the order into the aggregate, whatever the plan (it is
        # numbered before LIMIT, over every row, so it also orders rows picked by `pick_by`).
        return (
            f"(SELECT COALESCE(json_agg(rows_.r ORDER BY rows_.n), '[]'::json) FROM "  # noqa: S608
            f"(SELECT json_build_array({cols}) AS r, row_number() OVER (ORDER BY {order_by}) AS n "
            f"{source} ORDER BY {pick}{limit_sql}) rows_)"
        )
    # SQLite before 3.44 has no ORDER BY inside an aggregate: it aggregates the rows in
    # the order of the subquery's. json() keeps each inner array from being quoted.
    if pick_by is None:
        rows = f"SELECT json_array({cols}) AS r {source} ORDER BY {order_by}{limit_sql}"
    else:
        rows = (
            f"SELECT picked_.r FROM (SELECT json_array({cols}) AS r, "  # noqa: S608
            f"row_number() OVER (ORDER BY {order_by}) AS n {source} ORDER BY {pick}{limit_sql}) "
            "picked_ ORDER BY picked_.n"
        )
    return f"(SELECT json_group_array(json(rows_.r)) FROM ({rows}) rows_)"  # noqa: S608


def json_value(value: Any) -> Any:
    """A `json_rows` column as Python: psycopg decodes `json` itself, SQLite sends text."""
    return json.loads(value) if isinstance(value, str) else value


@cache
def _converters(field: Field, vendor: str) -> tuple[Any, tuple[Callable[..., Any], ...]]:
    """The column expression and the converters the ORM would apply to this field."""
    col = field.get_col(field.model._meta.db_table)
    converters = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
    return col, tuple(converters)


def fetch_one(sql: str, params: Sequence[Any], models: Sequence[type[Model]]) -> list[Any] | None:
    """Run `sql` (selecting `select_list` of each model, in order) and build one instance
    per model from the first row, followed by the row's remaining columns as they came;
    None when there is no row. Typed `Any`: the models differ per call, so callers
    annotate what they unpack."""
    db = connections[DEFAULT_DB_ALIAS]
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    return _instances(row, models, db)


def fetch_all(sql: str, params: Sequence[Any], model: type[Model]) -> list[Any]:
    """Run `sql` (selecting `select_list(model, …)`) and build one instance per row."""
    db = connections[DEFAULT_DB_ALIAS]
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [_instances(row, [model], db)[0] for row in rows]


def fetch_values(sql: str, params: Sequence[Any], fields: Sequence[Field]) -> list[list[Any]]:
    """Run `sql`, whose columns are those of `fields` in order, and give each row's values
    as the ORM's `values_list` would (each field's database converters applied): for a
    hot list read as plain values, with no model instance built per row."""
    db = connections[DEFAULT_DB_ALIAS]
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    plan = [_converters(field, db.vendor) for field in fields]
    converting = [(i, col, converters) for i, (col, converters) in enumerate(plan) if converters]
    out = []
    for row in rows:
        values = list(row)
        for i, col, converters in converting:
            for convert in converters:
                values[i] = convert(values[i], col, db)
        out.append(values)
    return out


def json_instances(value: Any, models: Sequence[type[Model]]) -> list[list[Any]]:
    """The rows of a `json_rows` column whose columns are `select_list` of each model (then
    any others), built like `fetch_one` builds a row. A model whose primary key is null
    (an outer join that found nothing) is None."""
    rows = json_value(value)
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor == "postgresql":
        parsers = _postgres_json_parsers(tuple(models))
        rows = [
            [
                v if v is None or parse is None else parse(v)
                for v, parse in zip(row[: len(parsers)], parsers, strict=True)
            ]
            + row[len(parsers) :]
            for row in rows
        ]
    return [_instances(row, models, db) for row in rows]


@cache
def _postgres_json_parsers(models: tuple[type[Model], ...]) -> list[Callable[[Any], Any] | None]:
    """What turns each column's JSON back into what psycopg sends: PostgreSQL writes
    timestamps as ISO text and embeds jsonb as JSON, which Django reads as text."""
    parsers: list[Callable[[Any], Any] | None] = []
    for model in models:
        for field in model._meta.concrete_fields:
            kind = field.get_internal_type()
            if kind == "DateTimeField":
                parsers.append(dt.datetime.fromisoformat)
            elif kind == "DateField":
                parsers.append(dt.date.fromisoformat)
            elif kind == "JSONField":
                parsers.append(json.dumps)
            else:
                parsers.append(None)
    return parsers


@cache
def _plan(
    model: type[Model], vendor: str
) -> tuple[list[str], int, tuple[tuple[int, Any, tuple[Callable[..., Any], ...]], ...]]:
    """The attnames of `model`, where its primary key is, and, for the columns that have
    any, their converters: worked out once, not for every row of a list."""
    fields = model._meta.concrete_fields
    converting = []
    for i, field in enumerate(fields):
        col, converters = _converters(field, vendor)
        if converters:
            converting.append((i, col, converters))
    return [f.attname for f in fields], fields.index(model._meta.pk), tuple(converting)


def _instances(
    row: Sequence[Any], models: Sequence[type[Model]], db: BaseDatabaseWrapper
) -> list[Any]:
    """`db` is the connection itself, looked up once by the caller: `django.db.connection`
    is a proxy that looks it up again on every attribute, per field of every row."""
    instances: list[Model | None] = []
    start = 0
    for model in models:
        attnames, pk_index, converting = _plan(model, db.vendor)
        values = list(row[start : start + len(attnames)])
        start += len(attnames)
        if values[pk_index] is None:
            instances.append(None)
            continue
        for i, col, converters in converting:
            for convert in converters:
                values[i] = convert(values[i], col, db)
        instances.append(model.from_db(db.alias, attnames, values))
    return [*instances, *row[start:]]
