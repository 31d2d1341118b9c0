from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import EmailToken, User
from tests.accounts.factories import UserFactory
from tests.accounts.mailtools import link_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_up(client, settings, mailoutbox, django_capture_on_commit_callbacks):
    """Sign up instantly through the page; returns the user and the verification email.
    (With sign-up by email, the default, the sign-up link itself verifies the address.)"""
    settings.ACCOUNTS_SIGNUP_EMAIL_CONFIRMATION = False
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/auth/sign-up/",
            {
                "name": "Ada Lovelace",
                "email": "Ada@Example.com",
                "password": "an-analytical-engine",
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="ada@example.com")
    [message] = mailoutbox
    return user, message


def test_sign_up_sends_a_verification_link_that_verifies_the_address(client, signed_up):
    user, message = signed_up
    assert message.to == ["ada@example.com"]
    assert message.subject == "Confirm your email address for Pacetrack"
    assert user.email_verified_at is None
    response = client.get(link_in(message))
    assert response.status_code == 200
    assert b"Email address confirmed" in response.content
    assert response["Referrer-Policy"] == "same-origin"
    user.refresh_from_db()
    assert user.email_verified_at is not None


def test_the_verification_link_works_only_once(client, signed_up):
    _user, message = signed_up
    client.get(link_in(message))
    response = client.get(link_in(message))
    assert response.status_code == 400
    assert b"already been used" in response.content


def test_the_verification_link_expires_after_48_hours(client, signed_up):
    user, message = signed_up
    with time_machine.travel(timezone.now() + timedelta(hours=48, minutes=1)):
        response = client.get(link_in(message))
    assert response.status_code == 400
    assert b"expired" in response.content
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_a_made_up_link_gets_a_clear_page(client):
    response = client.get("/auth/verify-email/not-a-real-token/")
    assert response.status_code == 400
    assert b"This link is not valid" in response.content


def test_unverified_users_see_the_banner_verified_users_do_not(client):
    unverified = UserFactory(unverified=True)
    client.force_login(unverified)
    assert b"Please confirm your email address" in client.get("/account/").content
    unverified.email_verified_at = timezone.now()
    unverified.save()
    assert b"Please confirm your email address" not in client.get("/account/").content


def test_resend_sends_a_new_link_then_asks_to_wait(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory(unverified=True)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/auth/verify-email/resend/", {"next": "/account/"}, follow=True)
    assert response.redirect_chain[0][0] == "/account/"
    assert b"We sent a new verification link" in response.content
    assert len(mailoutbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/auth/verify-email/resend/", follow=True)
    assert b"less than a minute ago" in response.content
    assert len(mailoutbox) == 1
    # After the cooldown it works again, and both links are valid.
    later = timezone.now() + timedelta(seconds=61)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        client.post("/auth/verify-email/resend/")
    assert len(mailoutbox) == 2
    assert EmailToken.objects.filter(user=user, used_at__isnull=True).count() == 2


def test_resend_is_refused_for_anonymous_visitors_and_ignores_foreign_next(client):
    response = client.post("/auth/verify-email/resend/")
    assert response.status_code == 302 and "/auth/sign-in/" in response["Location"]
    user = UserFactory(unverified=True)
    client.force_login(user)
    response = client.post("/auth/verify-email/resend/", {"next": "https://evil.example/"})
    assert response["Location"] == "/app/"


def test_resend_for_a_verified_user_sends_nothing(client, mailoutbox):
    user = UserFactory(email_verified_at=timezone.now())
    client.force_login(user)
    response = client.post("/auth/verify-email/resend/", follow=True)
    assert b"already verified" in response.content
    assert mailoutbox == []
