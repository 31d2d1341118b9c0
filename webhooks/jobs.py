"""Periodic jobs of webhooks, named in settings.SCHEDULE and run by the scheduler's task
(`scheduler.tasks.scheduled_run_task`). Each returns the outcome the admin shows."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction

from accounts.task_queue import task_enqueue_transactional
from webhooks.delivery import deliveries_due, deliveries_purge
from webhooks.tasks import webhook_deliver

# A delivery's own task claims it within seconds of its time; one still due this long
# after lost its task (a worker killed mid-send, the database restarting under it).
STALE_AFTER = timedelta(minutes=5)


def deliveries_resume_stale() -> str:
    """Queue again every delivery whose task was lost. A delivery whose task is only
    late is attempted once all the same: the first task to claim it sends, the other
    finds it not due (`webhooks.delivery._claim`)."""
    ids = deliveries_due(stale_after=STALE_AFTER)
    for delivery_id in ids:
        with transaction.atomic():
            task_enqueue_transactional(webhook_deliver, delivery_id)
    return f"Queued {len(ids)} webhook delivery(ies) again."


def deliveries_purge_old() -> str:
    days = settings.WEBHOOKS_DELIVERY_RETENTION_DAYS
    count = deliveries_purge(older_than=timedelta(days=days))
    return f"Deleted {count} finished webhook delivery(ies) older than {days} day(s)."
