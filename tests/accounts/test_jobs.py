"""The periodic jobs of accounts: old email bodies are cleared (the record stays), and
deleted accounts are freed after the grace period."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from accounts.jobs import email_bodies_purge
from accounts.models import EmailDelivery


def delivery(status: str, age_days: int) -> EmailDelivery:
    return EmailDelivery.objects.create(
        to=["a@example.com"],
        template="t",
        subject="Hello",
        body_text="secret text",
        body_html="<p>secret</p>",
        status=status,
        created_at=timezone.now() - timedelta(days=age_days),
    )


def test_bodies_of_finished_emails_past_the_retention_are_cleared(db: None, settings: Any) -> None:
    settings.EMAIL_DELIVERY_BODY_RETENTION_DAYS = 30
    old_sent = delivery(EmailDelivery.Status.SENT, 31)
    old_failed = delivery(EmailDelivery.Status.FAILED, 40)
    old_queued = delivery(EmailDelivery.Status.RETRYING, 40)  # still to be sent
    recent = delivery(EmailDelivery.Status.SENT, 29)

    outcome = email_bodies_purge()

    assert outcome == "Cleared the bodies of 2 email(s) older than 30 day(s)."
    for row in (old_sent, old_failed):
        row.refresh_from_db()
        assert (row.body_text, row.body_html, row.subject) == ("", "", "Hello")
    for row in (old_queued, recent):
        row.refresh_from_db()
        assert row.body_text == "secret text"
