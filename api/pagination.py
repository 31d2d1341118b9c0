"""Cursor pagination: stable under inserts and deletes, no COUNT query.

The cursor is opaque to clients (base64 of the last id seen); lists are ordered by id,
ascending for current state, descending for the audit log (newest first).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import BadRequest
from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


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
        return int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadCursor("The cursor is not one this API gave out.") from None


def paginate(
    queryset: QuerySet[M],
    *,
    cursor: str | None,
    limit: int,
    serialize: Callable[[M], Any],
    newest_first: bool = False,
) -> dict[str, Any]:
    """One page: `{"data": [...], "next_cursor": str | None}` (one query: limit + 1 rows)."""
    limit = max(1, min(limit, MAX_LIMIT))
    order = "-pk" if newest_first else "pk"
    rows = queryset.order_by(order)
    if cursor:
        after = _decode(cursor)
        rows = rows.filter(pk__lt=after) if newest_first else rows.filter(pk__gt=after)
    page = list(rows[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return {
        "data": [serialize(row) for row in page],
        "next_cursor": _encode(page[-1].pk) if more and page else None,
    }
