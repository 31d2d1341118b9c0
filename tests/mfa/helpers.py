"""Two-factor set-ups for tests, made through the services as a person would."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import time_machine
from django.utils import timezone

from mfa.services import totp_confirm, totp_setup_begin
from mfa.totp import totp_code_at


def enable_totp(user: Any, *, at: datetime | None = None) -> tuple[str, list[str]]:
    """Turn on an authenticator app for `user` two minutes before `at` (default: now),
    so the code typed to confirm it is not the current one; returns its secret and the
    recovery codes."""
    with time_machine.travel((at or timezone.now()) - timedelta(minutes=2), tick=False):
        _, secret = totp_setup_begin(user=user)
        codes = totp_confirm(user=user, code=totp_code_at(secret))
    return secret, codes


def email_subjects(mailoutbox: list[Any]) -> list[str]:
    return [message.subject for message in mailoutbox]


def age_sign_in(user: Any, *, minutes: int = 11) -> None:
    """Move the last authentication of every session of `user` `minutes` into the past,
    as if they had signed in that long ago (no re-authentication since)."""
    from sessions_app.authentication import AUTHENTICATED_AT_KEY
    from sessions_app.models import Session

    for session in Session.objects.filter(user=user):
        at = session.data.get(AUTHENTICATED_AT_KEY, int(timezone.now().timestamp()))
        session.data[AUTHENTICATED_AT_KEY] = at - minutes * 60
        session.save(update_fields=["data"])
