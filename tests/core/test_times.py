"""`|when`: times read as people say them, with the exact time on hover."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.template import Context, Template

from core.templatetags.times import relative_time
from tests.api.conftest import make_key

NOW = dt.datetime(2026, 3, 12, 15, 30, tzinfo=dt.UTC)  # a Thursday afternoon


@pytest.mark.parametrize(
    ("moment", "words"),
    [
        (NOW, "just now"),
        (NOW - dt.timedelta(seconds=59), "just now"),
        (NOW - dt.timedelta(minutes=1), "1 minute ago"),
        (NOW - dt.timedelta(minutes=5, seconds=40), "5 minutes ago"),
        (NOW - dt.timedelta(minutes=59), "59 minutes ago"),
        (NOW - dt.timedelta(hours=1), "1 hour ago"),
        (NOW - dt.timedelta(hours=15), "15 hours ago"),
        (dt.datetime(2026, 3, 11, 9, 0, tzinfo=dt.UTC), "yesterday"),
        (dt.datetime(2026, 3, 9, 23, 0, tzinfo=dt.UTC), "3 days ago"),
        (dt.datetime(2026, 3, 6, 12, 0, tzinfo=dt.UTC), "6 days ago"),
        (dt.datetime(2026, 3, 5, 12, 0, tzinfo=dt.UTC), "5 March"),
        (dt.datetime(2025, 12, 24, 12, 0, tzinfo=dt.UTC), "24 December 2025"),
        (NOW + dt.timedelta(seconds=30), "in less than a minute"),
        (NOW + dt.timedelta(minutes=10), "in 10 minutes"),
        (NOW + dt.timedelta(hours=2), "in 2 hours"),
        # A countdown read moments after it was set rounds to the nearest, not down.
        (NOW + dt.timedelta(minutes=9, seconds=50), "in 10 minutes"),
        (NOW + dt.timedelta(hours=1, minutes=59), "in 2 hours"),
        (NOW + dt.timedelta(minutes=59, seconds=40), "in 1 hour"),
        (NOW + dt.timedelta(days=1, seconds=-10), "tomorrow"),  # "members have 1 day"
        (dt.datetime(2026, 3, 13, 18, 0, tzinfo=dt.UTC), "tomorrow"),
        (dt.datetime(2026, 3, 18, 9, 0, tzinfo=dt.UTC), "in 6 days"),
        (dt.datetime(2026, 3, 19, 9, 0, tzinfo=dt.UTC), "19 March"),
        (dt.datetime(2026, 4, 2, 9, 0, tzinfo=dt.UTC), "2 April"),
        (dt.date(2026, 3, 12), "today"),
        (dt.date(2026, 3, 11), "yesterday"),
    ],
)
def test_moments_read_naturally(moment: Any, words: str) -> None:
    assert relative_time(moment, now=NOW) == words


def test_yesterday_is_the_calendar_day_not_24_hours() -> None:
    just_after_midnight = dt.datetime(2026, 3, 12, 0, 30, tzinfo=dt.UTC)
    late_the_day_before_yesterday = dt.datetime(2026, 3, 10, 23, 0, tzinfo=dt.UTC)
    assert relative_time(late_the_day_before_yesterday, now=just_after_midnight) == "2 days ago"


def _render(source: str, **context: Any) -> str:
    return Template("{% load times %}" + source).render(Context(context))


@time_machine.travel(NOW, tick=False)
def test_the_filter_gives_a_time_element_with_the_exact_time_on_hover() -> None:
    html = _render("{{ at|when }}", at=NOW - dt.timedelta(minutes=5))
    assert html == (
        '<time datetime="2026-03-12T15:25:00+00:00" title="12 March 2026, 15:25 UTC">'
        "5 minutes ago</time>"
    )


@time_machine.travel(NOW, tick=False)
def test_the_date_style_names_the_day() -> None:
    html = _render('{{ at|when:"date" }}', at=NOW + dt.timedelta(days=3))
    assert ">15 March</time>" in html and 'title="15 March 2026, 15:30 UTC"' in html


@time_machine.travel(NOW, tick=False)
def test_the_day_style_gives_the_year_even_this_years() -> None:
    """An invoice's date: "15 March" beside a renewal on "7 January 2027" read as if from
    another year."""
    html = _render('{{ at|when:"day" }}', at=NOW + dt.timedelta(days=3))
    assert ">15 March 2026</time>" in html


@time_machine.travel(NOW, tick=False)
def test_the_exact_style_names_the_day_and_time_with_the_zone() -> None:
    """A deadline to the minute (a webhook secret's overlap ends): no "in 23 hours"."""
    html = _render('{{ at|when:"exact" }}', at=NOW + dt.timedelta(hours=23))
    assert ">13 March 2026, 14:30 UTC</time>" in html


def test_nothing_renders_as_nothing_so_a_default_can_follow() -> None:
    assert _render('{{ at|when|default:"never" }}', at=None) == "never"


TIME_ELEMENT = re.compile(r'<time datetime="[^"]+" title="[^"]+ UTC">([^<]+)</time>')


def test_pages_show_times_through_the_filter(owner_client: Any, acme: Any, owner: Any) -> None:
    owner_client.post(f"/t/{acme.slug}/settings/rename/", {"name": "Acme Inc"})  # audited
    make_key(acme, owner, name="Deploy", expires_at=NOW + dt.timedelta(days=400))
    keys = owner_client.get(f"/t/{acme.slug}/settings/api-keys/").content.decode()
    # Created, expires: dates as the filter says them (were "5 Dec 2026", never German).
    assert len(TIME_ELEMENT.findall(keys)) == 2
    for path in (f"/t/{acme.slug}/members/", f"/t/{acme.slug}/audit/", "/account/sessions/"):
        html = owner_client.get(path).content.decode()
        assert "just now" in TIME_ELEMENT.findall(html), path  # joined, renamed, signed in
        assert "0 minutes ago" not in html


def _dateformat_when(value: dt.datetime | dt.date, style: str = "") -> str:
    """The filter as it was written with django.utils.dateformat: the oracle for the
    hand-written formatting, which must give the very same bytes."""
    from django.utils import timezone
    from django.utils.dateformat import format as date_format
    from django.utils.html import format_html
    from django.utils.translation import pgettext

    day_month, day_month_year, moment = (
        pgettext("date pattern", pattern) for pattern in ("j F", "j F Y", "j F Y, H:i T")
    )

    def date(day: dt.date, today: dt.date) -> str:
        return date_format(day, day_month if day.year == today.year else day_month_year)

    if isinstance(value, dt.datetime):
        value = timezone.localtime(value)
        exact, day = date_format(value, moment), value.date()
    else:
        exact, day = date_format(value, day_month_year), value
    words = date(day, timezone.localdate()) if style == "date" else relative_time(value)
    return format_html('<time datetime="{}" title="{}">{}</time>', value.isoformat(), exact, words)


MOMENTS = [
    NOW,
    NOW - dt.timedelta(minutes=7),
    NOW - dt.timedelta(days=3, hours=5),
    dt.datetime(2026, 1, 5, 8, 3, tzinfo=dt.UTC),
    dt.datetime(2025, 12, 24, 23, 59, 59, 999999, tzinfo=dt.UTC),
    dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC),  # 01:30 twice in Berlin: no zone name
    dt.datetime(2027, 3, 28, 1, 0, tzinfo=dt.UTC),
    NOW + dt.timedelta(days=40),
    dt.date(2026, 3, 12),
    dt.date(2024, 2, 29),
    dt.date(2026, 9, 1),
]


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kolkata"])
@pytest.mark.parametrize("language", ["en", "fr", "de", "ar"])
def test_the_filter_writes_what_django_dateformat_would(zone: str, language: str) -> None:
    from django.utils import timezone, translation

    from core.templatetags.times import when

    with timezone.override(zone), translation.override(language):
        for moment in MOMENTS:
            for style in ("", "date"):
                assert when(moment, style) == _dateformat_when(moment, style), (moment, style)


# --- In the reader's language (locale/_parts/core.*.po) ----------------------------


@pytest.mark.parametrize(
    ("language", "moment", "words"),
    [
        ("de", NOW, "gerade eben"),
        ("de", NOW - dt.timedelta(minutes=1), "vor 1 Minute"),
        ("de", NOW - dt.timedelta(minutes=5), "vor 5 Minuten"),
        ("de", NOW - dt.timedelta(hours=3), "vor 3 Stunden"),
        ("de", dt.datetime(2026, 3, 11, 9, 0, tzinfo=dt.UTC), "gestern"),
        ("de", dt.datetime(2026, 3, 9, 23, 0, tzinfo=dt.UTC), "vor 3 Tagen"),
        ("de", NOW + dt.timedelta(minutes=10), "in 10 Minuten"),
        ("de", dt.datetime(2026, 3, 13, 18, 0, tzinfo=dt.UTC), "morgen"),
        ("de", dt.datetime(2026, 3, 5, 12, 0, tzinfo=dt.UTC), "5. März"),
        ("de", dt.datetime(2025, 12, 24, 12, 0, tzinfo=dt.UTC), "24. Dezember 2025"),
        ("ar", NOW, "الآن"),
        ("ar", NOW - dt.timedelta(minutes=1), "منذ دقيقة واحدة"),
        ("ar", NOW - dt.timedelta(minutes=2), "منذ دقيقتين"),
        ("ar", NOW - dt.timedelta(minutes=5), "منذ 5 دقائق"),
        ("ar", NOW - dt.timedelta(minutes=15), "منذ 15 دقيقة"),
        ("ar", NOW - dt.timedelta(hours=2), "منذ ساعتين"),
        ("ar", dt.datetime(2026, 3, 11, 9, 0, tzinfo=dt.UTC), "أمس"),
        ("ar", dt.datetime(2026, 3, 9, 23, 0, tzinfo=dt.UTC), "منذ 3 أيام"),
        ("ar", NOW + dt.timedelta(hours=3), "بعد 3 ساعات"),
        ("ar", dt.datetime(2026, 3, 5, 12, 0, tzinfo=dt.UTC), "5 مارس"),
    ],
)
def test_moments_read_naturally_in_german_and_arabic(
    language: str, moment: Any, words: str
) -> None:
    from django.utils import translation

    with translation.override(language):
        assert relative_time(moment, now=NOW) == words


@time_machine.travel(NOW, tick=False)
def test_the_exact_time_is_in_the_readers_zone_and_language() -> None:
    from django.utils import timezone, translation

    with translation.override("de"), timezone.override("Europe/Berlin"):
        html = _render("{{ at|when }}", at=NOW - dt.timedelta(minutes=5))
    assert html == (
        '<time datetime="2026-03-12T16:25:00+01:00" title="12. März 2026, 16:25 CET">'
        "vor 5 Minuten</time>"
    )
    with translation.override("ar"), timezone.override("Asia/Riyadh"):
        html = _render("{{ at|when }}", at=NOW - dt.timedelta(days=2))
    assert 'title="10 مارس 2026، 18:30 +03">منذ يومين</time>' in html
