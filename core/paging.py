"""One page of a long list, and totals over the whole list, in one query.

A list page needs its rows and a few numbers about all of them: how many there are
(for the page count), and whatever else the page states (the members' owners and
billing contacts, the files' total size). Django's `Paginator` asks `COUNT(*)` in a
query of its own, and each further total would be another; here they are window
aggregates (`COUNT(*) OVER ()`) on the page's own rows, computed before `LIMIT`, so a
page costs one statement whatever the list's length, an empty list too. Only a page
past the end (an old link after deletions) costs two more: the totals alone, then the
last page.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Aggregate, Count, QuerySet, Window

_PREFIX = "_whole_list_"
_MAX_OFFSET = 2**62  # below PostgreSQL's and SQLite's 64-bit OFFSET


def page_with_totals(
    queryset: QuerySet[Any], *, number: str | None, per_page: int, **totals: Aggregate
) -> tuple[Page, dict[str, Any]]:
    """The page `number` of the ordered `queryset` as Django's `Paginator.get_page` gives
    it (the first for a missing or unreadable number, the last for one out of range), and
    `totals` aggregated over the whole queryset, with `count` among them."""
    aggregates: dict[str, Aggregate] = {"count": Count("pk"), **totals}
    windows = {_PREFIX + name: Window(expression=agg) for name, agg in aggregates.items()}
    wanted = _number(number)
    # A number below 1 or past any possible list (an OFFSET the database would refuse)
    # goes straight to the totals, which find the last page.
    plausible = 1 <= wanted <= _MAX_OFFSET // per_page
    rows = _rows(queryset, windows, wanted, per_page) if plausible else []
    if rows:
        values = {name: getattr(rows[0], _PREFIX + name) for name in aggregates}
    elif wanted == 1:  # an empty first page: the list is empty (no query for its totals)
        values = queryset.none().aggregate(**aggregates)
    else:
        values = queryset.aggregate(**aggregates)
        last = max(1, -(-values["count"] // per_page))
        if wanted != last and values["count"]:
            wanted = last
            rows = _rows(queryset, windows, wanted, per_page)
        wanted = min(max(wanted, 1), last)
    paginator = Paginator(queryset, per_page)
    paginator.count = values["count"]  # counted above: no COUNT(*) query of its own
    return Page(rows, wanted, paginator), values


def page_number(number: str | None) -> int:
    """A page number sent back by a form or link, 1 for anything that is not one."""
    number = number or ""
    if number.isascii() and number.isdigit() and len(number) <= 9 and int(number) > 1:
        return int(number)
    return 1


def page_query(number: str | None) -> str:
    """`?page=N` to send a plain form post back to the page it was sent from: "" for the
    first page and for anything that is not a page number."""
    wanted = page_number(number)
    return f"?page={wanted}" if wanted > 1 else ""


def _number(number: str | None) -> int:
    try:
        return int(number or 1)
    except ValueError:
        return 1


def _rows(
    queryset: QuerySet[Any], windows: dict[str, Window], number: int, per_page: int
) -> list[Any]:
    start = (number - 1) * per_page
    return list(queryset.annotate(**windows)[start : start + per_page])
