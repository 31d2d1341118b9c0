"""A person's own security changes are in their personal workspace's audit log, beside
their language and two-factor changes: a password changed or reset, an email address
changed, other devices signed out (they were only in the server's security log)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from core.audit import personal_tenant_of
from core.models import AuditEvent
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.accounts.mailtools import link_in

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "another-long-passphrase-42"


def logged(user: Any, action: str) -> AuditEvent:
    event = AuditEvent.objects.get(action=action)
    assert event.tenant_id == personal_tenant_of(user_id=user.pk).pk
    assert event.actor_id == user.pk
    return event


def test_a_password_change_is_logged_with_the_devices_it_signed_out(
    auth_client: Any, user: Any
) -> None:
    Client().force_login(user)  # another device
    data = {
        "current_password": DEFAULT_PASSWORD,
        "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD,
    }

    auth_client.post("/account/password/", data)

    assert logged(user, "account.password_changed").after == {"signed_out": 1}
    page = auth_client.get(f"/t/{personal_tenant_of(user_id=user.pk).slug}/audit/")
    assert "Password changed" in page.content.decode()
    assert "Devices signed out" in page.content.decode()


def test_a_password_reset_by_link_is_logged(
    client: Any, user: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/auth/password/forgot/", {"email": user.email})
    link = link_in(mailoutbox[-1])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert logged(user, "account.password_reset").after == {"signed_out": 0}


def test_an_email_change_is_logged_with_both_addresses(
    auth_client: Any,
    client: Any,
    user: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    old = user.email
    with django_capture_on_commit_callbacks(execute=True):
        auth_client.post(
            "/account/email/", {"new_email": "moved@example.com", "password": DEFAULT_PASSWORD}
        )
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(link_in(mailoutbox[-1]))

    event = logged(user, "account.email_changed")
    assert (event.before, event.after) == ({"email": old}, {"email": "moved@example.com"})


def test_signing_out_every_other_device_is_logged(auth_client: Any, user: Any) -> None:
    Client().force_login(user)
    Client().force_login(user)

    auth_client.post("/account/sessions/revoke-others/")

    assert logged(user, "session.others_signed_out").after == {"sessions": 2}
