"""Periodic jobs of accounts, named in settings.SCHEDULE and run by the scheduler's task
(`scheduler.tasks.scheduled_run_task`). Each returns the outcome the admin shows."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from accounts.mail import email_deliveries_resume
from accounts.mail_delivery import email_delivery_bodies_purge
from accounts.services_lifecycle import accounts_purge_deleted


def deleted_accounts_purge() -> str:
    count = accounts_purge_deleted()
    return f"Freed the email of {count} deleted account(s)."


def email_bodies_purge() -> str:
    days = settings.EMAIL_DELIVERY_BODY_RETENTION_DAYS
    count = email_delivery_bodies_purge(older_than=timedelta(days=days))
    return f"Cleared the bodies of {count} email(s) older than {days} day(s)."


def email_deliveries_resume_stale() -> str:
    count = email_deliveries_resume(stale_after=timedelta(minutes=5))
    return f"Queued {count} email(s) again."
