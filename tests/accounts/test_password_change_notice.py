"""Every password change is emailed to the account's address, as a reset by link always
was: a change on the account page (someone holding a stolen session could make it) and
a first password set by someone who signed in only with a provider until now (a new
way into the account). The notice's button starts a reset, which signs out everyone."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from accounts.services import user_signup
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.accounts.mailtools import link_in

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "another-long-passphrase-42"


def _change(client: Client, capture: Any, **data: str) -> Any:
    data = {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD, **data}
    with capture(execute=True):
        return client.post("/account/password/", data)


def test_a_change_on_the_account_page_is_emailed(
    auth_client: Client,
    user: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    _change(auth_client, django_capture_on_commit_callbacks, current_password=DEFAULT_PASSWORD)

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    [notice] = mailoutbox
    assert notice.to == [user.email]
    assert notice.subject == "Your Pacetrack password was changed"
    assert "was just changed from your account page" in notice.body
    assert "reset your password right away" in notice.body
    assert link_in(notice) == "/auth/password/forgot/"


def test_a_first_password_is_emailed_as_added(
    client: Client, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    sam: User = user_signup(email="sam@example.com", password=None, name="Sam")
    client.force_login(sam)

    _change(client, django_capture_on_commit_callbacks)

    sam.refresh_from_db()
    assert sam.check_password(NEW_PASSWORD)
    [notice] = mailoutbox
    assert notice.to == ["sam@example.com"]
    assert notice.subject == "A password was added to your Pacetrack account"
    assert "it now signs in as well" in notice.body


def test_a_refused_change_sends_nothing(
    auth_client: Client, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    _change(auth_client, django_capture_on_commit_callbacks, current_password="not-my-password")
    assert mailoutbox == []


def test_the_notice_is_in_the_owners_language(
    auth_client: Client,
    user: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    user.language = "de"
    user.save(update_fields=["language"])

    _change(auth_client, django_capture_on_commit_callbacks, current_password=DEFAULT_PASSWORD)

    [notice] = mailoutbox
    assert notice.subject == "Ihr Pacetrack-Passwort wurde geändert"
    assert "über Ihre Kontoseite geändert" in notice.body


def test_a_reset_by_link_still_says_reset(
    client: Client, user: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/auth/password/forgot/", {"email": user.email})
    link = link_in(mailoutbox[-1])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    notice = mailoutbox[-1]
    assert notice.subject == "Your Pacetrack password was changed"
    assert "was just reset, and every device was signed out" in notice.body
