"""`{{ value|when }}`: a moment as people say it, with the exact time on hover.

Every time the app shows goes through this filter, so they all read alike:
"just now", "5 minutes ago", "3 hours ago", "yesterday", "4 days ago", then the
date ("12 March", with the year when it is not this one); and the same ahead
("in 10 minutes", "tomorrow", "in 3 days"). Past a week a date is clearer than
"23 days ago". `{{ value|when:"date" }}` always shows the date (a renewal day).
The result is a `<time>` element whose `title` is the full date and time.

Pages call it once or twice per row (the devices page: 40 times), so it formats
by hand what `django.utils.dateformat` would ("j F Y, H:i T"): that parses the
format string, builds a formatter and translates the month name on every call,
which made most of the devices page's time. The month names are translated once
per language; tests/core/test_times.py checks the output against dateformat's.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from html import escape

from django import template
from django.utils import timezone, translation
from django.utils.dateformat import TimeFormat
from django.utils.dates import MONTHS
from django.utils.safestring import SafeString

register = template.Library()

WEEK_DAYS = 7


@lru_cache(maxsize=32)
def _month_names(language: str | None) -> tuple[str, ...]:
    """dateformat's "F" for months 1–12 in `language` (index 0 unused)."""
    return ("", *(str(MONTHS[month]) for month in range(1, 13)))


def _month(day: dt.date) -> str:
    return _month_names(translation.get_language())[day.month]


def _exact(value: dt.datetime | dt.date) -> str:
    """dateformat's "j F Y, H:i T" for a local datetime, "j F Y" for a date."""
    date = f"{value.day} {_month(value)} {value.year:04d}"
    if not isinstance(value, dt.datetime):
        return date
    # "T" through dateformat itself: it leaves the zone out of ambiguous DST moments.
    return f"{date}, {value.hour:02d}:{value.minute:02d} {TimeFormat(value).T()}"


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'}"


def _date(day: dt.date, today: dt.date) -> str:
    """dateformat's "j F", with " Y" when the year is not this one."""
    if day.year == today.year:
        return f"{day.day} {_month(day)}"
    return f"{day.day} {_month(day)} {day.year:04d}"


def _days_apart(day: dt.date, today: dt.date) -> str:
    days = (day - today).days
    if days == 0:
        return "today"
    if days == -1:
        return "yesterday"
    if days == 1:
        return "tomorrow"
    if abs(days) < WEEK_DAYS:
        return f"{_plural(-days, 'day')} ago" if days < 0 else f"in {_plural(days, 'day')}"
    return _date(day, today)


def relative_time(value: dt.datetime | dt.date, *, now: dt.datetime | None = None) -> str:
    """The words for `value` seen from `now` (default: this moment)."""
    now = timezone.localtime(now or timezone.now())
    if not isinstance(value, dt.datetime):
        return _days_apart(value, now.date())
    value = timezone.localtime(value)
    seconds = (value - now).total_seconds()
    past = seconds <= 0
    minutes, hours = int(abs(seconds) // 60), int(abs(seconds) // 3600)
    if minutes < 1:
        return "just now" if past else "in less than a minute"
    if hours < 1:
        return f"{_plural(minutes, 'minute')} ago" if past else f"in {_plural(minutes, 'minute')}"
    if hours < 24:
        return f"{_plural(hours, 'hour')} ago" if past else f"in {_plural(hours, 'hour')}"
    return _days_apart(value.date(), now.date())


@register.filter
def when(value: dt.datetime | dt.date | None, style: str = "") -> SafeString | str:
    """`<time datetime=… title="2 March 2026, 14:05 UTC">5 minutes ago</time>`;
    with "date", the date itself. Empty for None, so `|default:"—"` works after it."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value)
        day = value.date()
    else:
        day = value
    words = _date(day, timezone.localdate()) if style == "date" else relative_time(value)
    # What format_html would give: every part escaped (html.escape is what escape() calls).
    return SafeString(
        f'<time datetime="{escape(value.isoformat())}" title="{escape(_exact(value))}">'
        f"{escape(words)}</time>"
    )
