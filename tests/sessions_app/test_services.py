"""Revoking sessions: one, all others, and on password change."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from sessions_app.models import Session
from sessions_app.services import (
    session_cleanup,
    session_revoke,
    session_revoke_all_for_user,
)
from tests.sessions_app.helpers import row_of, sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.sessions_app.urls")]


def _devices(user: Any, n: int) -> list[Client]:
    clients = [Client() for _ in range(n)]
    for c in clients:
        sign_in(c, user)
    return clients


def test_revoking_one_session_signs_out_only_that_device(user: Any) -> None:
    laptop, phone = _devices(user, 2)
    assert session_revoke(session=row_of(phone), reason="revoked_by_user", acting_user=user)
    assert phone.get("/whoami/").status_code == 302
    assert laptop.get("/whoami/").status_code == 200


def test_revoking_twice_keeps_the_first_reason(user: Any) -> None:
    (laptop,) = _devices(user, 1)
    row = row_of(laptop)
    session_revoke(session=row, reason=Session.RevokedReason.ADMIN)
    assert not session_revoke(session=row, reason=Session.RevokedReason.SIGNED_OUT)
    row.refresh_from_db()
    assert row.revoked_reason == Session.RevokedReason.ADMIN


def test_revoke_all_others_keeps_the_given_session(user: Any, other_user: Any) -> None:
    laptop, phone, tablet = _devices(user, 3)
    (theirs,) = _devices(other_user, 1)
    count = session_revoke_all_for_user(
        user=user, reason="revoked_by_user", except_session=row_of(laptop)
    )
    assert count == 2
    assert laptop.get("/whoami/").status_code == 200
    assert phone.get("/whoami/").status_code == 302
    assert tablet.get("/whoami/").status_code == 302
    assert theirs.get("/whoami/").status_code == 200


def test_password_change_keeps_this_device_and_signs_out_the_others(user: Any) -> None:
    laptop, phone = _devices(user, 2)
    old_row = row_of(laptop)
    response = laptop.post(
        "/account/password/",
        {
            "current_password": "correct-horse-battery-staple",
            "new_password": "a-brand-new-passphrase",
            "confirm_password": "a-brand-new-passphrase",
        },
    )
    assert response.status_code == 302
    assert laptop.get("/whoami/").status_code == 200
    assert row_of(laptop).pk != old_row.pk  # rotated to a new token
    assert phone.get("/whoami/").status_code == 302
    reasons = set(Session.objects.filter(user=user).values_list("revoked_reason", flat=True))
    assert reasons == {"", "rotated", "password_changed"}


def test_password_changed_outside_the_app_ends_sessions_by_auth_hash(user: Any) -> None:
    (laptop,) = _devices(user, 1)
    row = row_of(laptop)
    user.set_password("changed-in-the-shell-42")
    user.save()
    assert laptop.get("/whoami/").status_code == 302
    row.refresh_from_db()
    assert row.revoked_reason == Session.RevokedReason.PASSWORD_CHANGED


def test_cleanup_deletes_only_rows_expired_or_revoked_long_ago(user: Any) -> None:
    now = timezone.now()
    laptop, phone, tablet, watch = _devices(user, 4)
    old = now - timedelta(days=31)
    recent = now - timedelta(days=29)
    Session.objects.filter(pk=row_of(laptop).pk).update(revoked_at=old, revoked_reason="admin")
    Session.objects.filter(pk=row_of(phone).pk).update(expires_at=old)
    Session.objects.filter(pk=row_of(tablet).pk).update(revoked_at=recent, revoked_reason="admin")
    counts = session_cleanup(days=30, batch_size=1)
    assert counts == {"revoked": 1, "expired": 1}
    assert Session.objects.count() == 2
    assert watch.get("/whoami/").status_code == 200


def test_cleanup_rejects_nonsense_arguments() -> None:
    with pytest.raises(ValueError, match="days must be >= 0"):
        session_cleanup(days=-1)
    with pytest.raises(ValueError, match="batch_size >= 1"):
        session_cleanup(batch_size=0)
