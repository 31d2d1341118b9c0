"""The audit log's period: the days an owner asks for, as the times the log is cut at."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditPeriodForm(forms.Form):
    """ "From" and "To" as days of the reader's time zone, both whole days: an event at
    23:59 on the "To" day is in. Read from the page's query string (a link can be
    shared), so a wrong value is said, not raised: see `refusal`."""

    since = forms.DateField(
        required=False,
        error_messages={"invalid": _("“From” is not a date; showing events of every date.")},
    )
    until = forms.DateField(
        required=False,
        error_messages={"invalid": _("“To” is not a date; showing events of every date.")},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            raise ValidationError(
                _("“From” is after “To”; showing events of every date."), code="order"
            )
        return cleaned

    @property
    def refusal(self) -> str:
        """What was wrong with the days asked for ("" when nothing): one sentence."""
        if self.is_valid():
            return ""
        return next(str(error) for errors in self.errors.values() for error in errors)

    def shown(self) -> tuple[str, str]:
        """The days as the date fields show them again (ISO, "" for none): each one that
        is a date, even when the two are the wrong way round, for the reader to put
        right beside the warning."""
        self.is_valid()  # a field that is a date is in cleaned_data whatever the order
        since, until = self.cleaned_data.get("since"), self.cleaned_data.get("until")
        return (since.isoformat() if since else "", until.isoformat() if until else "")

    def days(self) -> tuple[date | None, date | None]:
        """The valid days as asked ((None, None) when any is wrong: the page then shows
        every date, and says why)."""
        if not self.is_valid():
            return None, None
        return self.cleaned_data["since"], self.cleaned_data["until"]

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """(the first moment of "From", the first moment after "To") in the reader's
        zone; None for a side not asked for, or past what a datetime holds (such a day
        cuts nothing off)."""
        since, until = self.days()
        return _day_start(since), _day_start(until, later=1)


def _day_start(day: date | None, *, later: int = 0) -> datetime | None:
    if day is None:
        return None
    try:
        start = timezone.make_aware(datetime.combine(day + timedelta(days=later), time.min))
        return start.astimezone(UTC)  # the database's zone: it must fit there too
    except OverflowError:
        return None
