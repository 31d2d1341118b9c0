"""Running one claimed slot (the worker side: `scheduler.tasks` calls it, it enqueues
nothing). The job named by the run's dotted path is imported when it runs, so the
scheduler imports no app and any app can declare jobs (`<app>/jobs.py`)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from scheduler.models import ScheduledRun

logger = logging.getLogger("scheduler")

_OUTCOME_LIMIT = 2000


def scheduled_run_execute(*, run_id: int) -> str:
    """Run the job of one claimed slot and record its outcome; returns the outcome.

    A run that is no longer queued (the task delivered twice, or retried by the
    backend) is left alone: a slot runs at most once. A job's error is recorded on
    the row and re-raised, so the task backend sees the failure too.
    """
    with transaction.atomic():
        run = ScheduledRun.objects.select_for_update().get(pk=run_id)
        if run.status != ScheduledRun.Status.QUEUED:
            return run.outcome
        run.status = ScheduledRun.Status.RUNNING
        run.started_at = timezone.now()
        run.save(update_fields=["status", "started_at"])
    try:
        result = _call(import_string(run.task), run.kwargs)
    except Exception as exc:  # any failure is the job's outcome: recorded, then re-raised
        _finish(run, ScheduledRun.Status.FAILED, f"{exc.__class__.__name__}: {exc}")
        logger.exception("Scheduled job %s (slot %s) failed", run.job, run.slot)
        raise
    outcome = "" if result is None else str(result)
    _finish(run, ScheduledRun.Status.SUCCEEDED, outcome)
    logger.info("Scheduled job %s (slot %s): %s", run.job, run.slot, outcome)
    return outcome


def _call(job: Any, kwargs: dict[str, Any]) -> Any:
    # A django-tasks Task runs its function in this worker (`call`), not enqueued again.
    if hasattr(job, "call") and hasattr(job, "enqueue"):
        return job.call(**kwargs)
    return job(**kwargs)


def _finish(run: ScheduledRun, status: str, outcome: str) -> None:
    ScheduledRun.objects.filter(pk=run.pk).update(
        status=status, outcome=outcome[:_OUTCOME_LIMIT], finished_at=timezone.now()
    )
