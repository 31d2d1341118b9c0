"""Emails composed in the worker, where whether an account exists is decided.

The forgot-password page and a paused sign-in queue a task for every address, so
the request does the same work either way; the task (`accounts.tasks`) calls these
and queues the delivery they record. Nothing here enqueues, so the task module can
import it.
"""

from __future__ import annotations

import logging

from django.db import transaction

from accounts.mail_delivery import absolute_url, email_record
from accounts.models import EmailDelivery, EmailToken, User, normalize_email
from accounts.tokens import email_token_issue

logger = logging.getLogger("accounts.security")


def password_reset_compose(*, email: str) -> list[EmailDelivery]:
    """A one-hour reset link for `email`, recorded if the address has an active
    account; nothing (and nothing issued) otherwise."""
    try:
        user = User.objects.get(email=normalize_email(email), is_active=True)
    except User.DoesNotExist:
        logger.info("Password reset requested for an unknown address; dropped.")
        return []
    with transaction.atomic():
        raw = email_token_issue(user=user, purpose=EmailToken.Purpose.PASSWORD_RESET)
        return email_record(
            to=user.email,
            template="accounts/email/password_reset",
            context={"user": user, "url": absolute_url("accounts:password-reset", raw)},
        )


def sign_in_paused_compose(*, email: str, minutes: int) -> list[EmailDelivery]:
    """The "sign-in was paused, here is how to reset" notice for the owner of `email`,
    recorded if there is one."""
    try:
        user = User.objects.get(email=normalize_email(email), is_active=True)
    except User.DoesNotExist:
        return []
    return email_record(
        to=user.email,
        template="accounts/email/sign_in_paused",
        context={"user": user, "minutes": minutes, "url": absolute_url("accounts:password-forgot")},
    )
