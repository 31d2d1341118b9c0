"""Background tasks (django-tasks): run by `manage.py db_worker`, or inline with
the immediate backend.

django-tasks stores each queued task by its dotted path (`accounts.tasks.…`), so the
tasks stay in this module. It imports only the worker side (`accounts.mail_delivery`,
`accounts.notices`), which enqueues nothing; the modules that enqueue
(`accounts.mail`, the services) import this one, so the imports point one way. What
the worker decides to queue next (a retry, the email it composed) is queued here.
"""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from accounts import mail_delivery, notices
from accounts.models import EmailDelivery
from accounts.task_queue import task_enqueue_transactional


@task()
def email_deliver(delivery_id: int) -> str:
    """Send one `EmailDelivery`; transient failures re-enqueue it with backoff."""
    can_retry_later = getattr(email_deliver.get_backend(), "supports_defer", False)
    attempt = mail_delivery.email_delivery_attempt(
        delivery_id=delivery_id, can_retry_later=can_retry_later
    )
    if attempt.retry_at is not None:
        with transaction.atomic():  # the retry is on record only with its task
            mail_delivery.email_delivery_retry_record(delivery_id=delivery_id, attempt=attempt)
            task_enqueue_transactional(email_deliver, delivery_id, run_after=attempt.retry_at)
    return attempt.status


@task()
def password_reset_deliver(email: str) -> None:
    """Send a reset link if `email` belongs to an active account; drop it otherwise.

    The forgot-password page enqueues this for every address so the request does
    the same work whether or not an account exists."""
    with transaction.atomic():  # the reset token and its email commit together
        _deliver_composed(notices.password_reset_compose(email=email))


@task()
def sign_in_paused_deliver(email: str, minutes: int) -> None:
    """Tell the owner of `email` (if any) that sign-in to their account was paused."""
    with transaction.atomic():
        _deliver_composed(notices.sign_in_paused_compose(email=email, minutes=minutes))


def _deliver_composed(deliveries: list[EmailDelivery]) -> None:
    for delivery in deliveries:
        task_enqueue_transactional(email_deliver, delivery.pk)
