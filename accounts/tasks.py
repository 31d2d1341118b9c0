"""Background tasks (django-tasks): run by `manage.py db_worker`, or inline with
the immediate backend.

The workers' entry point: it imports the modules whose work it runs, and those reach
their task at call time (a local import), because django-tasks stores each queued
task by its dotted path (`accounts.tasks.…`), so the tasks stay in this module.
"""

from __future__ import annotations

from django_tasks import task

from accounts import mail, services_email, services_security


@task()
def email_deliver(delivery_id: int) -> str:
    """Send one `EmailDelivery`; transient failures re-enqueue themselves with backoff."""
    return mail.email_delivery_attempt(delivery_id=delivery_id)


@task()
def password_reset_deliver(email: str) -> None:
    """Send a reset link if `email` belongs to an active account; drop it otherwise.

    The forgot-password page enqueues this for every address so the request does
    the same work whether or not an account exists."""
    services_email.password_reset_send(email=email)


@task()
def sign_in_paused_deliver(email: str, minutes: int) -> None:
    """Tell the owner of `email` (if any) that sign-in to their account was paused."""
    services_security.sign_in_paused_send(email=email, minutes=minutes)
