"""`{{ value|when }}`: a moment as people say it, with the exact time on hover.

Every time the app shows goes through this filter, so they all read alike:
"just now", "5 minutes ago", "3 hours ago", "yesterday", "4 days ago", then the
date ("12 March", with the year when it is not this one); and the same ahead
("in 10 minutes", "tomorrow", "in 3 days"). Past a week a date is clearer than
"23 days ago". `{{ value|when:"date" }}` always shows the date (a renewal day).
The result is a `<time>` element whose `title` is the full date and time.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

WEEK_DAYS = 7


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'}"


def _date(day: dt.date, today: dt.date) -> str:
    return date_format(day, "j F" if day.year == today.year else "j F Y")


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
        exact, day = date_format(value, "j F Y, H:i T"), value.date()
    else:
        exact, day = date_format(value, "j F Y"), value
    words = _date(day, timezone.localdate()) if style == "date" else relative_time(value)
    machine = value.isoformat()
    return format_html('<time datetime="{}" title="{}">{}</time>', machine, exact, words)
