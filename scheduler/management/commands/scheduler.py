"""The long-running scheduler: enqueue each job of settings.SCHEDULE at its time."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from scheduler.schedule import schedule_jobs
from scheduler.services import schedule_next_wake, schedule_tick, scheduler_identity

# Wake at least this often: a clock jump or a changed row is noticed within a minute.
_MAX_SLEEP = 60.0


class Command(BaseCommand):
    help = (
        "Enqueue the jobs of settings.SCHEDULE as background tasks at their times. "
        "Run one or more (each slot runs at most once); stop with SIGTERM or Ctrl-C."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Enqueue what is due and exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        identity = scheduler_identity()
        if options["once"]:
            self._tick(identity)
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        jobs = ", ".join(f"{job.name} ({job.describe()})" for job in schedule_jobs())
        self.stdout.write(f"Scheduler {identity}: {jobs or 'no jobs'}")
        while not stop.is_set():
            self._tick(identity)
            close_old_connections()
            wake = schedule_next_wake(now=timezone.now())
            seconds = _MAX_SLEEP
            if wake is not None:
                seconds = min(_MAX_SLEEP, max(0.5, (wake - timezone.now()).total_seconds()))
            stop.wait(seconds)
        self.stdout.write("Scheduler stopped.")

    def _tick(self, identity: str) -> None:
        for run in schedule_tick(claimed_by=identity):
            self.stdout.write(f"Enqueued {run.job} for {run.slot:%Y-%m-%d %H:%M:%S} UTC")
