from __future__ import annotations

from django.apps import AppConfig
from django.core import checks


class SchedulerConfig(AppConfig):
    """Periodic jobs: `settings.SCHEDULE`, the `scheduler` command that enqueues them,
    and `ScheduledRun`, the record of each run (one per job and slot)."""

    name = "scheduler"
    verbose_name = "Scheduled jobs"

    def ready(self) -> None:
        from scheduler.checks import check_schedule

        checks.register(check_schedule)
