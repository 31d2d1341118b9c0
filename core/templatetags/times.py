"""`{{ value|when }}`: a moment as people say it, with the exact time on hover.

Every time the app shows goes through this filter, so they all read alike:
"just now", "5 minutes ago", "3 hours ago", "yesterday", "4 days ago", then the
date ("12 March", with the year when it is not this one); and the same ahead
("in 10 minutes", "tomorrow", "in 3 days"). Past a week a date is clearer than
"23 days ago". `{{ value|when:"date" }}` always shows the date (a renewal day),
`{{ value|when:"exact" }}` the date and time with the zone (a deadline to the minute).
The result is a `<time>` element whose `title` is the full date and time.

Everything is in the active language and time zone (the person's, set by
accounts.middleware.UserLocaleMiddleware): the words through ngettext, the date
patterns ("j F" is "j. F" in German) are themselves translated strings.

Pages call it once or twice per row (the devices page: 40 times), so it formats
by hand what `django.utils.dateformat` would: that parses the format string,
builds a formatter and translates the month name on every call, which made most
of the devices page's time. The patterns are compiled and the month names
translated once per language; tests/core/test_times.py checks the output against
dateformat's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from html import escape

from django import template
from django.utils import dateformat, timezone, translation
from django.utils.dateformat import TimeFormat
from django.utils.dates import MONTHS
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext, pgettext

register = template.Library()

WEEK_DAYS = 7

# dateformat's codes this module writes by hand: day, month name, year, hour, minute, zone.
_CODES = {"j": "{d}", "F": "{F}", "Y": "{Y:04d}", "H": "{H:02d}", "i": "{M:02d}", "T": "{T}"}


def _compile(pattern: str) -> str | None:
    """A str.format template doing what dateformat does with `pattern`, or None when
    the pattern uses a code not written by hand (then dateformat itself is used)."""
    out, escaped = [], False
    for char in pattern:
        if escaped:
            out.append(char.replace("{", "{{").replace("}", "}}"))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in _CODES:
            out.append(_CODES[char])
        elif char.isalpha():
            return None
        else:
            out.append(char.replace("{", "{{").replace("}", "}}"))
    return "".join(out)


@dataclass(frozen=True)
class _Formats:
    months: tuple[str, ...]  # index 0 unused
    day_month: str
    day_month_year: str
    exact: str  # with the time and zone
    compiled: dict[str, str | None]


@lru_cache(maxsize=32)
def _formats(language: str | None) -> _Formats:
    """The month names and date patterns of `language` (the active one when called)."""
    patterns = (
        # Translators: a pattern of Django's date filter (j day, F month): a day this year.
        pgettext("date pattern", "j F"),
        # Translators: a dateformat pattern: a day of another year.
        pgettext("date pattern", "j F Y"),
        # Translators: a dateformat pattern: a moment, with the time and the time zone.
        pgettext("date pattern", "j F Y, H:i T"),
    )
    return _Formats(
        months=("", *(str(MONTHS[month]) for month in range(1, 13))),
        day_month=patterns[0],
        day_month_year=patterns[1],
        exact=patterns[2],
        compiled={pattern: _compile(pattern) for pattern in patterns},
    )


def _format(value: dt.datetime | dt.date, pattern: str, formats: _Formats) -> str:
    compiled = formats.compiled[pattern]
    if compiled is None:
        return dateformat.format(value, pattern)
    if not isinstance(value, dt.datetime):
        return compiled.format(d=value.day, F=formats.months[value.month], Y=value.year)
    return compiled.format(
        d=value.day,
        F=formats.months[value.month],
        Y=value.year,
        H=value.hour,
        M=value.minute,
        # "T" through dateformat itself: it leaves the zone out of ambiguous DST moments.
        T=TimeFormat(value).T() if "{T}" in compiled else "",
    )


def _exact(value: dt.datetime | dt.date, formats: _Formats) -> str:
    """The full date and time of a local datetime, the full date of a date."""
    if not isinstance(value, dt.datetime):
        return _format(value, formats.day_month_year, formats)
    return _format(value, formats.exact, formats)


def _date(day: dt.date, today: dt.date, formats: _Formats) -> str:
    """The day and month, with the year when it is not this one."""
    pattern = formats.day_month if day.year == today.year else formats.day_month_year
    return _format(day, pattern, formats)


def _days_apart(day: dt.date, today: dt.date, formats: _Formats) -> str:
    days = (day - today).days
    if days == 0:
        return gettext("today")
    if days == -1:
        return gettext("yesterday")
    if days == 1:
        return gettext("tomorrow")
    if days < 0 and -days < WEEK_DAYS:
        return ngettext("%(count)d day ago", "%(count)d days ago", -days) % {"count": -days}
    if 0 < days < WEEK_DAYS:
        return ngettext("in %(count)d day", "in %(count)d days", days) % {"count": days}
    return _date(day, today, formats)


def relative_time(value: dt.datetime | dt.date, *, now: dt.datetime | None = None) -> str:
    """The words for `value` seen from `now` (default: this moment)."""
    zone = timezone.get_current_timezone()
    now = timezone.localtime(now or timezone.now(), zone)
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value, zone)
    return _words(value, now, _formats(translation.get_language()))


def _words(value: dt.datetime | dt.date, now: dt.datetime, formats: _Formats) -> str:
    """relative_time for a `value` and `now` already in the reader's zone."""
    if not isinstance(value, dt.datetime):
        return _days_apart(value, now.date(), formats)
    seconds = (value - now).total_seconds()
    past = seconds <= 0
    if past or seconds < 60:
        minutes, hours = int(abs(seconds) // 60), int(abs(seconds) // 3600)
    else:
        # A countdown rounds to the nearest: a deadline set a day ahead and read seconds
        # later is "tomorrow", not "in 23 hours" beside "members have 1 day".
        minutes, hours = int(seconds / 60 + 0.5), int(seconds / 3600 + 0.5)
    if minutes < 1:
        return gettext("just now") if past else gettext("in less than a minute")
    if hours < 1:
        if past:
            words = ngettext("%(count)d minute ago", "%(count)d minutes ago", minutes)
        else:
            words = ngettext("in %(count)d minute", "in %(count)d minutes", minutes)
        return words % {"count": minutes}
    if hours < 24:
        if past:
            words = ngettext("%(count)d hour ago", "%(count)d hours ago", hours)
        else:
            words = ngettext("in %(count)d hour", "in %(count)d hours", hours)
        return words % {"count": hours}
    return _days_apart(value.date(), now.date(), formats)


@register.filter
def when(value: dt.datetime | dt.date | None, style: str = "") -> SafeString | str:
    """`<time datetime=… title="2 March 2026, 14:05 UTC">5 minutes ago</time>`;
    with "date", the date itself (its year only when not this year's); with "day", the
    date with its year always (an invoice's, read beside others for a tax return).
    Empty for None, so `|default:"—"` works after it."""
    if value is None or value == "":
        return ""
    # The clock, the reader's zone and language read once per call: each read of the
    # zone or the language goes through asgiref's Local, a few µs, and a devices page
    # calls this 40 times (it read the zone four times per call).
    zone = timezone.get_current_timezone()
    now = timezone.localtime(timezone.now(), zone)
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value, zone)
        day = value.date()
    else:
        day = value
    formats = _formats(translation.get_language())
    if style == "date":
        words = _date(day, now.date(), formats)
    elif style == "day":
        words = _exact(day, formats)
    elif style == "exact":
        words = _exact(value, formats)
    else:
        words = _words(value, now, formats)
    # What format_html would give: every part escaped (html.escape is what escape() calls);
    # an ISO timestamp is digits, "-", ":", "+", "." and "T", with nothing to escape.
    return SafeString(
        f'<time datetime="{value.isoformat()}" title="{escape(_exact(value, formats))}">'
        f"{escape(words)}</time>"
    )


def day(value: dt.datetime) -> str:
    """The date alone in the reader's zone and language, with the year, as plain text:
    a day that matters in itself (when a subscription ends), not when it was said."""
    zone = timezone.get_current_timezone()
    return _exact(timezone.localtime(value, zone).date(), _formats(translation.get_language()))


@register.filter
def moment(value: dt.datetime | None) -> str:
    """The full date and time in the reader's zone and language, as plain text (an
    email): their own pattern (an Arabic comma, a German order), where `|date:"j F Y,
    H:i e"` put an English comma in every language."""
    if value is None:
        return ""
    zone = timezone.get_current_timezone()
    return _exact(timezone.localtime(value, zone), _formats(translation.get_language()))
