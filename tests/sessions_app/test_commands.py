from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from sessions_app.models import Session
from tests.sessions_app.helpers import row_of, sign_in

pytestmark = [pytest.mark.django_db]


def test_cleanup_sessions_prints_counts_and_honours_days(user: Any) -> None:
    clients = [Client() for _ in range(3)]
    for c in clients:
        sign_in(c, user)
    ten_days_ago = timezone.now() - timedelta(days=10)
    Session.objects.filter(pk=row_of(clients[0]).pk).update(expires_at=ten_days_ago)
    Session.objects.filter(pk=row_of(clients[1]).pk).update(
        revoked_at=ten_days_ago, revoked_reason="signed_out"
    )
    out = io.StringIO()
    call_command("cleanup_sessions", stdout=out)
    assert "Deleted 0 expired and 0 revoked" in out.getvalue()
    out = io.StringIO()
    call_command("cleanup_sessions", "--days", "7", "--batch-size", "1", stdout=out)
    assert "Deleted 1 expired and 1 revoked session(s) older than 7 day(s)." in out.getvalue()
    assert Session.objects.count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--days", "-1"], "--days must be 0 or more"), (["--batch-size", "0"], "at least 1")],
)
def test_cleanup_sessions_refuses_bad_arguments(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("cleanup_sessions", *args)
