"""A SCHEDULE that cannot run is an error at start-up, not at 3 a.m."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string

from scheduler.schedule import ScheduleError, job_parse


def check_schedule(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for name, conf in getattr(settings, "SCHEDULE", {}).items():
        if len(name) > 100:
            errors.append(
                checks.Error(f"SCHEDULE job name {name!r} is too long.", id="scheduler.E001")
            )
        try:
            job = job_parse(name, conf)
            job_callable = import_string(job.task)
        except ScheduleError as exc:
            errors.append(checks.Error(str(exc), id="scheduler.E002"))
            continue
        except ImportError as exc:
            errors.append(
                checks.Error(
                    f"SCHEDULE[{name!r}]: cannot import {conf['task']!r} ({exc}).",
                    id="scheduler.E003",
                )
            )
            continue
        if not callable(job_callable) and not hasattr(job_callable, "call"):
            errors.append(
                checks.Error(
                    f"SCHEDULE[{name!r}]: {job.task} is not callable.", id="scheduler.E003"
                )
            )
    return errors
