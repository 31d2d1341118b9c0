"""The webhooks reference (/webhooks/reference/): what an endpoint receives and how to
verify it, for the developers of the organisations that add endpoints. Public, like the
API reference, and read from the code that sends (event types, their data, the retry
schedule, the secret's overlap), so it cannot drift from what is sent."""

from __future__ import annotations

import math
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.timesince import TIME_STRINGS
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_GET

from webhooks.delivery import RETRY_FOR, RETRY_SCHEDULE
from webhooks.events import (
    EVENT_DATA,
    EVENT_TYPES,
    TEST_EVENT,
    TEST_EVENT_DATA,
    TEST_EVENT_MEANING,
)


def _duration(wait: timedelta) -> str:
    """ "5 seconds", "30 minutes", "10 hours", "3 days", in the reader's language."""
    seconds = math.ceil(wait.total_seconds())  # 2.5 s is not "2 seconds"
    if seconds < 60:
        return ngettext("%(num)d second", "%(num)d seconds", seconds) % {"num": seconds}
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds % size == 0:
            return str(TIME_STRINGS[unit] % {"num": seconds // size})
    return str(TIME_STRINGS["minute"] % {"num": seconds // 60})


@require_GET
def webhooks_reference(request: HttpRequest) -> HttpResponse:
    distinct = list(dict.fromkeys(RETRY_SCHEDULE))
    return render(
        request,
        "webhooks/reference.html",
        {
            "events": [
                *[(kind, EVENT_TYPES[kind], EVENT_DATA[kind]) for kind in EVENT_TYPES],
                (TEST_EVENT, TEST_EVENT_MEANING, TEST_EVENT_DATA),
            ],
            # Arabic lists with "، ".
            "waits": pgettext("list separator", ", ").join(_duration(w) for w in distinct[:-1]),
            "then_every": _duration(distinct[-1]),
            "retry_for": _duration(RETRY_FOR),
            "answer_within": _duration(timedelta(seconds=settings.WEBHOOKS_READ_TIMEOUT)),
            "overlap": _duration(timedelta(hours=settings.WEBHOOKS_ROTATION_OVERLAP_HOURS)),
        },
    )
