"""Claiming due slots and enqueueing their jobs (the enqueue side).

Every scheduler process computes the same slots from the same settings. Claiming
a slot is inserting its `ScheduledRun` (unique on job and slot) in the transaction
that enqueues its task: of two schedulers racing for a slot, the second insert
fails on the constraint and enqueues nothing, on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from scheduler.models import ScheduledRun
from scheduler.schedule import Job, schedule_jobs
from scheduler.tasks import scheduled_run_task

logger = logging.getLogger("scheduler")


def scheduler_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def schedule_tick(*, now: datetime | None = None, claimed_by: str = "") -> list[ScheduledRun]:
    """Claim and enqueue every job whose latest slot has not run; returns the claims.

    Only the latest slot counts: after downtime a job runs once, not once per
    missed slot.
    """
    now = now or timezone.now()
    latest = dict(
        ScheduledRun.objects.values("job").annotate(last=Max("slot")).values_list("job", "last")
    )
    claimed = []
    for job in schedule_jobs():
        slot = job.slot_at(now)
        if latest.get(job.name) is not None and latest[job.name] >= slot:
            continue
        run = _claim(job=job, slot=slot, claimed_by=claimed_by or scheduler_identity())
        if run is not None:
            claimed.append(run)
    return claimed


def _claim(*, job: Job, slot: datetime, claimed_by: str) -> ScheduledRun | None:
    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(
                job=job.name, task=job.task, slot=slot, kwargs=job.kwargs, claimed_by=claimed_by
            )
            _enqueue_with_transaction(run.pk)
    except IntegrityError:
        logger.debug("Slot %s of %s was claimed by another scheduler", slot, job.name)
        return None
    logger.info("Enqueued %s for slot %s", job.name, slot)
    return run


def _enqueue_with_transaction(run_id: int) -> None:
    """The database backend writes its task row in this transaction, so the claim and
    its task commit together; other backends (immediate) run or send the task at
    once, so they wait for the commit (the claim must be visible to the task)."""
    from django_tasks_db.backend import DatabaseBackend  # optional backend

    task: Any = scheduled_run_task
    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(run_id)
    else:
        transaction.on_commit(lambda: task.enqueue(run_id))


def schedule_next_wake(*, now: datetime) -> datetime | None:
    """When the next slot of any job begins (None without jobs)."""
    return min((job.next_slot_after(now) for job in schedule_jobs()), default=None)
