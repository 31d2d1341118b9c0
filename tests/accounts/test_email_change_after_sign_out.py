"""An email change waiting for its link does not outlive the owner taking the account
back. An attack found it: someone who held the password and a session asked for a change
to an inbox of theirs and left it; the owner reset the password ("every other device was
signed out"); the link still moved the account to the attacker's address, and a reset
there gave them the account."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from sessions_app.models import Session
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.accounts.mailtools import link_in
from tests.sessions_app.helpers import CHROME_MAC, FIREFOX_LINUX, row_of, sign_in

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "taken-back-passphrase-2026"
THIEF = "thief@evil.test"


@pytest.fixture
def owner(user: Any) -> Client:
    client = Client(HTTP_USER_AGENT=FIREFOX_LINUX, REMOTE_ADDR="203.0.113.5")
    sign_in(client, user)
    return client


@pytest.fixture
def thief_link(
    user: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> tuple[Client, str]:
    """The attacker's own session and the link sent to their inbox."""
    thief = Client(HTTP_USER_AGENT=CHROME_MAC, REMOTE_ADDR="198.51.100.66")
    sign_in(thief, user)
    with django_capture_on_commit_callbacks(execute=True):
        thief.post("/account/email/", {"new_email": THIEF, "password": DEFAULT_PASSWORD})
    (message,) = [m for m in mailoutbox if m.to == [THIEF]]
    return thief, link_in(message)


def _link_refused(link: str, user: Any) -> None:
    response = Client().post(link)
    assert response.status_code == 400, response.content.decode()[:300]
    assert "signing devices out cancels an email change" in response.content.decode()
    assert User.objects.get(pk=user.pk).email == user.email


def test_a_password_reset_cancels_it(
    client: Client,
    user: Any,
    thief_link: tuple[Client, str],
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    _, link = thief_link
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/auth/password/forgot/", {"email": user.email})
    reset = link_in(mailoutbox[-1])
    client.post(reset, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    _link_refused(link, user)


def test_a_password_change_cancels_it(
    owner: Client, user: Any, thief_link: tuple[Client, str]
) -> None:
    _, link = thief_link
    owner.post(
        "/account/password/",
        {
            "current_password": DEFAULT_PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert User.objects.get(pk=user.pk).check_password(NEW_PASSWORD)

    _link_refused(link, user)


def test_signing_out_every_other_device_cancels_it(
    owner: Client, user: Any, thief_link: tuple[Client, str]
) -> None:
    _, link = thief_link
    owner.post("/account/sessions/revoke-others/")

    _link_refused(link, user)


def test_signing_the_strange_device_out_cancels_it(
    owner: Client, user: Any, thief_link: tuple[Client, str]
) -> None:
    thief, link = thief_link
    owner.post(f"/account/sessions/{row_of(thief).pk}/revoke/")

    _link_refused(link, user)


def test_an_operators_sign_out_cancels_it(user: Any, thief_link: tuple[Client, str]) -> None:
    from sessions_app.services import session_revoke_all_for_user

    _, link = thief_link
    session_revoke_all_for_user(user=user, reason=Session.RevokedReason.ADMIN)

    _link_refused(link, user)


def test_the_owners_own_sign_out_keeps_their_change(
    owner: Client,
    user: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Asking for a change, signing out, then opening the link on a phone still works."""
    with django_capture_on_commit_callbacks(execute=True):
        owner.post(
            "/account/email/", {"new_email": "mine@example.com", "password": DEFAULT_PASSWORD}
        )
    owner.post("/auth/sign-out/")

    assert Client().post(link_in(mailoutbox[-1])).status_code == 200
    assert User.objects.get(pk=user.pk).email == "mine@example.com"
