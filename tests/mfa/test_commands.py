"""`manage.py mfa_reset`: an operator removes every second factor of someone locked out."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.models import User
from core.models import AuditEvent
from mfa.selectors import two_factor_status
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.mfa.helpers import enable_totp

pytestmark = pytest.mark.django_db


def test_reset_removes_every_method_audits_and_emails(
    user: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    enable_totp(user)
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("mfa_reset", user.email.upper(), stdout=out)

    assert "1 authenticator app(s), 0 passkey(s), 10 recovery code(s)" in out.getvalue()
    assert not two_factor_status(user=user).enabled
    event = AuditEvent.objects.get(action="mfa.reset")
    assert event.actor is None and event.after["recovery_codes"] == 10
    [notice] = [m for m in mailoutbox if "reset by an operator" in m.subject]
    assert notice.to == [user.email]
    # The password alone signs in again.
    response = Client().post("/auth/sign-in/", {"email": user.email, "password": DEFAULT_PASSWORD})
    assert response["Location"] != "/auth/sign-in/verify/"


def test_the_reset_notice_is_written_whole_in_the_person_s_language(
    user: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    """The command runs in English; the notice's explanation is in the person's German
    like the rest of it (it was computed in the operator's language)."""
    User.objects.filter(pk=user.pk).update(language="de")
    user.refresh_from_db()
    enable_totp(user)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("mfa_reset", user.email, stdout=StringIO())

    [notice] = mailoutbox
    assert "Ein Administrator hat Ihre Authenticator-App" in notice.body
    assert "An administrator removed" not in notice.body


def test_reset_of_an_unknown_address_fails_with_the_reason() -> None:
    with pytest.raises(CommandError, match="No user with the email"):
        call_command("mfa_reset", "nobody@example.com")
