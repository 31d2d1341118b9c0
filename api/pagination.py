"""Cursor pagination: stable under inserts and deletes, no COUNT query.

The cursor is opaque to clients (base64 of the last id seen); lists are ordered by id,
ascending for current state, descending for the audit log (newest first).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from django.core.exceptions import BadRequest
from django.db.models import Model, QuerySet
from ninja import Query

from core.ids import MAX_ID

M = TypeVar("M", bound=Model)
R = TypeVar("R")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

# A list operation's two parameters, described once for the schema and the reference.
Cursor = Annotated[
    str | None,
    Query(description="The previous page's `next_cursor`; leave it out for the first page"),
]
# Outside 1 to MAX_LIMIT is refused (422 naming `limit`), never quietly changed: a page
# of 1 for `limit=0` reads as a list with one row.
Limit = Annotated[
    int,
    Query(ge=1, le=MAX_LIMIT, description=f"How many per page, 1 to {MAX_LIMIT}"),
]


class BadCursor(BadRequest):
    """A cursor this API did not give out (400)."""


def _encode(pk: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{pk}".encode()).decode().rstrip("=")


def _decode(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, _, pk = text.partition(":")
        if version != "v1":
            raise ValueError(version)
        after = int(pk)
        if not 0 <= after <= MAX_ID:
            raise ValueError(pk)
        return after
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadCursor("The cursor is not one this API gave out.") from None


def cursor_after(cursor: str | None) -> int | None:
    """The id a cursor points after (None for the first page); BadCursor (400) for one
    this API did not give out."""
    return _decode(cursor) if cursor else None


def page_of(rows: list[R], *, limit: int, pk: Callable[[R], int]) -> tuple[list[R], str | None]:
    """The first `limit` of `rows` (read with one more than `limit`, to know whether a
    next page exists) and the cursor of the next page, None on the last."""
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, _encode(pk(rows[-1])) if more and rows else None


def paginate(
    queryset: QuerySet[M],
    *,
    cursor: str | None,
    limit: int,
    serialize: Callable[[M], Any],
    newest_first: bool = False,
) -> dict[str, Any]:
    """One page: `{"data": [...], "next_cursor": str | None}` (one query: limit + 1 rows)."""
    order = "-pk" if newest_first else "pk"
    rows = queryset.order_by(order)
    after = cursor_after(cursor)
    if after is not None:
        rows = rows.filter(pk__lt=after) if newest_first else rows.filter(pk__gt=after)
    page, next_cursor = page_of(list(rows[: limit + 1]), limit=limit, pk=lambda row: row.pk)
    return {"data": [serialize(row) for row in page], "next_cursor": next_cursor}
