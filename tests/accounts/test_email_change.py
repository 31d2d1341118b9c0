from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import EmailToken
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.accounts.mailtools import link_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def change_requested(auth_client, user, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.post(
            "/account/email/", {"new_email": "New@Example.com", "password": DEFAULT_PASSWORD}
        )
    assert response.status_code == 302
    [message] = mailoutbox
    return message


def test_the_change_waits_for_the_new_address_to_be_verified(auth_client, user, change_requested):
    assert change_requested.to == ["new@example.com"]
    assert "Confirm your new email address" in change_requested.subject
    user.refresh_from_db()
    assert user.email != "new@example.com"  # not yet
    page = auth_client.get("/account/email/")
    assert b"Waiting for confirmation" in page.content and b"new@example.com" in page.content


def test_verifying_switches_the_address_and_notifies_the_old_one(
    client, user, change_requested, mailoutbox, django_capture_on_commit_callbacks
):
    old_email = user.email
    shown = client.get(link_in(change_requested))  # what a mail scanner opening it does
    assert shown.status_code == 200 and b"Use the new address" in shown.content
    user.refresh_from_db()
    assert user.email == old_email  # nothing changes without the button
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link_in(change_requested))
    assert response.status_code == 200
    assert b"Your email address was changed" in response.content
    user.refresh_from_db()
    assert user.email == "new@example.com"
    assert user.email_verified_at is not None
    notice = mailoutbox[-1]
    assert notice.to == [old_email]
    assert notice.subject == "Your Pacetrack email address was changed"
    assert "new@example.com" in notice.body
    assert "/auth/password/forgot/" in notice.body


def test_the_change_link_is_single_use_and_expires(client, user, change_requested):
    link = link_in(change_requested)
    with time_machine.travel(timezone.now() + timedelta(hours=49)):
        assert client.get(link).status_code == 400
        assert client.post(link).status_code == 400
    assert client.post(link).status_code == 200
    assert b"already been used" in client.get(link).content
    assert b"already been used" in client.post(link).content


def test_a_new_request_replaces_the_pending_one(
    auth_client, client, user, change_requested, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        auth_client.post(
            "/account/email/", {"new_email": "other@example.com", "password": DEFAULT_PASSWORD}
        )
    replaced = client.get(link_in(change_requested))
    assert replaced.status_code == 400
    # Never used: it says it may have been replaced, not only "already used".
    assert "was replaced by a newer one" in replaced.content.decode()
    assert client.post(link_in(mailoutbox[-1])).status_code == 200
    user.refresh_from_db()
    assert user.email == "other@example.com"


def test_cancel_withdraws_the_link(auth_client, client, user, change_requested):
    response = auth_client.post("/account/email/", {"action": "cancel"}, follow=True)
    assert b"cancelled" in response.content
    assert client.get(link_in(change_requested)).status_code == 400
    user.refresh_from_db()
    assert user.email != "new@example.com"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"new_email": "", "password": DEFAULT_PASSWORD}, b"Enter your new email address."),
        ({"new_email": "not-an-email", "password": DEFAULT_PASSWORD}, b"valid email"),
        ({"new_email": "fresh@example.com", "password": "wrong"}, b"t your current password"),
    ],
)
def test_bad_input_gets_a_clear_message(auth_client, data, error, mailoutbox):
    response = auth_client.post("/account/email/", data)
    assert response.status_code == 200
    assert error in response.content
    assert mailoutbox == []


def test_the_current_address_is_refused(auth_client, user):
    same = auth_client.post(
        "/account/email/", {"new_email": user.email.upper(), "password": DEFAULT_PASSWORD}
    )
    assert b"already your email address" in same.content


def _page(response, address: str) -> str:
    html = response.content.decode().replace(address, "ADDRESS")
    return re.sub(r"[A-Za-z0-9]{64}", "CSRF", html)  # CSRF tokens differ per response


def test_email_change_does_not_reveal_taken_address(
    auth_client, user, other_user, mailoutbox, django_capture_on_commit_callbacks
):
    """Another account's address gets exactly the answer a free one gets; that
    account's owner is told, and nothing changes on either account."""
    before = (user.email, other_user.email)

    def ask(address):
        with django_capture_on_commit_callbacks(execute=True):
            return auth_client.post(
                "/account/email/",
                {"new_email": address, "password": DEFAULT_PASSWORD},
                follow=True,
            )

    with time_machine.travel(timezone.now(), tick=False):  # same "expires at" on both pages
        free = ask("free@example.com")
        taken = ask(other_user.email.upper())

    assert free.status_code == taken.status_code == 200
    assert free.redirect_chain == taken.redirect_chain == [("/account/email/", 302)]
    assert _page(free, "free@example.com") == _page(taken, other_user.email)
    user.refresh_from_db()
    other_user.refresh_from_db()
    assert (user.email, other_user.email) == before
    link, notice = mailoutbox
    assert link.to == ["free@example.com"] and "/auth/verify-email/" in link.body
    assert notice.to == [other_user.email] and "/auth/verify-email/" not in notice.body
    assert notice.subject == "Someone tried to move another Pacetrack account to your email address"


def test_an_address_taken_before_verification_is_refused_clearly(client, user, change_requested):
    UserFactory(email="new@example.com")
    response = client.get(link_in(change_requested))  # said before the button, too
    assert response.status_code == 400
    assert b"used by another account" in response.content
    response = client.post(link_in(change_requested))
    assert response.status_code == 400
    assert b"used by another account" in response.content
    user.refresh_from_db()
    assert user.email != "new@example.com"
    # The link was not burned by the refusal.
    assert EmailToken.objects.get(purpose="email_change").used_at is None


def test_the_page_needs_a_signed_in_user(client):
    response = client.get("/account/email/")
    assert response.status_code == 302 and "/auth/sign-in/" in response["Location"]


def test_email_change_requests_count_against_the_email_budget(
    auth_client, mailoutbox, django_capture_on_commit_callbacks
):
    """Each request emails an address the user typed: five an hour, like "resend"."""
    with django_capture_on_commit_callbacks(execute=True):
        codes = [
            auth_client.post(
                "/account/email/",
                {"new_email": f"new{n}@example.com", "password": DEFAULT_PASSWORD},
            ).status_code
            for n in range(6)
        ]
    assert codes == [302] * 5 + [429]
    assert len(mailoutbox) == 5
