"""`settings.SCHEDULE`: job name → {"task": dotted path, "every": "15m" | "at": "03:10"}.

"every" runs at each multiple of the interval since the Unix epoch (UTC), so every
process computes the same slots; "at" runs daily at that UTC time. An optional
"kwargs" dict is passed to the job. The job is a plain function (or a django-tasks
task) returning a short outcome; `scheduler.tasks.scheduled_run_task` runs it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.conf import settings

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_INTERVAL = re.compile(r"^(\d+)([smhd])$")
_DAILY = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class ScheduleError(ValueError):
    """A SCHEDULE entry that cannot be understood."""


@dataclass(frozen=True)
class Job:
    name: str
    task: str
    every: timedelta | None = None
    at: time | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)

    def slot_at(self, now: datetime) -> datetime:
        """The latest slot at or before `now`: the one a scheduler should have run."""
        now = now.astimezone(UTC)
        if self.every is not None:
            step = int(self.every.total_seconds())
            elapsed = int((now - _EPOCH).total_seconds())
            return _EPOCH + timedelta(seconds=elapsed - elapsed % step)
        assert self.at is not None
        today = datetime.combine(now.date(), self.at, tzinfo=UTC)
        return today if today <= now else today - timedelta(days=1)

    def next_slot_after(self, now: datetime) -> datetime:
        if self.every is not None:
            return self.slot_at(now) + self.every
        return self.slot_at(now) + timedelta(days=1)

    def describe(self) -> str:
        if self.every is not None:
            return f"every {int(self.every.total_seconds())} s"
        assert self.at is not None
        return f"daily at {self.at:%H:%M} UTC"


def job_parse(name: str, conf: dict[str, Any]) -> Job:
    if not isinstance(conf, dict) or not isinstance(conf.get("task"), str):
        raise ScheduleError(f"SCHEDULE[{name!r}] needs a 'task' dotted path.")
    if ("every" in conf) == ("at" in conf):
        raise ScheduleError(f"SCHEDULE[{name!r}] needs exactly one of 'every' and 'at'.")
    kwargs = conf.get("kwargs", {})
    if not isinstance(kwargs, dict):
        raise ScheduleError(f"SCHEDULE[{name!r}]['kwargs'] must be a dict.")
    if "every" in conf:
        match = _INTERVAL.match(str(conf["every"]))
        if not match or int(match[1]) == 0:
            raise ScheduleError(
                f"SCHEDULE[{name!r}]['every'] = {conf['every']!r}: use '30s', '15m', '6h' or '1d'."
            )
        seconds = int(match[1]) * _UNITS[match[2]]
        return Job(name, conf["task"], every=timedelta(seconds=seconds), kwargs=kwargs)
    match = _DAILY.match(str(conf["at"]))
    if not match:
        raise ScheduleError(f"SCHEDULE[{name!r}]['at'] = {conf['at']!r}: use 'HH:MM' (UTC).")
    return Job(name, conf["task"], at=time(int(match[1]), int(match[2])), kwargs=kwargs)


def schedule_jobs() -> list[Job]:
    """The declared jobs, read when called (tests change the setting)."""
    return [job_parse(name, conf) for name, conf in getattr(settings, "SCHEDULE", {}).items()]
