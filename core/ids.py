"""Database ids that arrive as text (a query string, a posted field, Stripe metadata)."""

from __future__ import annotations

from typing import Any

# The largest key a bigint column holds: a larger number was a 500 (OverflowError) in
# the query that looked it up.
MAX_ID = 2**63 - 1


def id_from_text(value: Any) -> int | None:
    """`value` as an id if it is ASCII digits a database key can hold, else None ("²" is a
    digit to `str.isdigit()`, and `int("²")` raises)."""
    text = str(value) if isinstance(value, int) else value
    if not isinstance(text, str) or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number <= MAX_ID else None
