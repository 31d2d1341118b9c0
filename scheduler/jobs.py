"""Periodic jobs of the scheduler itself: what the background machinery keeps, kept
for a while only. Named in settings.SCHEDULE; each returns the outcome the admin shows."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from scheduler.models import ScheduledRun


def task_results_prune() -> str:
    """Finished task rows of the database backend: each keeps its arguments, and a
    forgot-password task's argument is the address typed, account or not. django-tasks'
    own `prune_db_task_results` does the same by hand; its query is used here."""
    days = settings.TASKS_RESULT_RETENTION_DAYS
    if not isinstance(task_backends["default"], DatabaseBackend):
        return "Tasks are not stored (TASKS_BACKEND is not database): nothing to prune."
    cutoff = timezone.now() - timedelta(days=days)
    count, _ = DBTaskResult.objects.finished().filter(finished_at__lte=cutoff).delete()
    return f"Deleted {count} finished task result(s) older than {days} day(s)."


def scheduled_runs_prune() -> str:
    """Runs older than the retention (about 600 a day). A slot is claimed once, when it
    is the latest; an old slot's row is never needed again."""
    days = settings.SCHEDULER_RUN_RETENTION_DAYS
    cutoff = timezone.now() - timedelta(days=days)
    count, _ = ScheduledRun.objects.filter(slot__lt=cutoff).delete()
    return f"Deleted {count} scheduled run(s) older than {days} day(s)."
