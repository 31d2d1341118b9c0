"""Background tasks of webhooks (stored by dotted path: keep them here).

Imports the worker side (`webhooks.delivery`) only; the enqueue side
(`webhooks.events`, `webhooks.services`) imports this module.
"""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from accounts.task_queue import task_enqueue_transactional
from webhooks import delivery as worker
from webhooks.models import Delivery


@task()
def webhook_deliver(delivery_id: int) -> str:
    """One attempt; a failure queues the next one at its backoff time (where the task
    backend can defer; elsewhere `manage.py webhooks_deliver_due` picks it up)."""
    sent = worker.delivery_attempt(delivery_id=delivery_id)
    if sent is None:
        return "not due"
    can_defer = getattr(webhook_deliver.get_backend(), "supports_defer", False)
    if sent.status == Delivery.Status.PENDING and sent.next_attempt_at and can_defer:
        with transaction.atomic():
            task_enqueue_transactional(webhook_deliver, delivery_id, run_after=sent.next_attempt_at)
    return str(sent.status)
