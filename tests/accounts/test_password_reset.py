from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import EmailDelivery, EmailToken
from sessions_app.models import Session
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.accounts.mailtools import link_in, run_worker

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-brand-new-passphrase-77"


@pytest.fixture
def reset_link(client, user, mailoutbox, django_capture_on_commit_callbacks) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/auth/password/forgot/", {"email": user.email.upper()})
    [message] = mailoutbox
    assert message.subject == "Reset your Pacetrack password"
    return link_in(message)


def _forgot(client, email):
    response = client.post("/auth/password/forgot/", {"email": email})
    return response.status_code, response["Location"]


def test_forgot_answers_the_same_for_known_and_unknown_addresses(db_tasks, client, user):
    known = _forgot(client, user.email)
    unknown = _forgot(client, "nobody@example.com")
    assert known == unknown == (302, "/auth/password/forgot/sent/")
    # The same work on both branches: one task each, nothing else written.
    tasks = list(DBTaskResult.objects.values_list("task_path", "args_kwargs"))
    assert [path for path, _ in tasks] == ["accounts.tasks.password_reset_deliver"] * 2
    assert not EmailToken.objects.exists() and not EmailDelivery.objects.exists()
    page = client.get("/auth/password/forgot/sent/")
    assert b"If an account exists for that address" in page.content


def test_the_worker_sends_the_known_address_a_link_and_drops_the_unknown(
    db_tasks, client, user, mailoutbox
):
    _forgot(client, user.email)
    _forgot(client, "nobody@example.com")
    run_worker()  # runs both lookups, then the one email they produced
    assert [m.to for m in mailoutbox] == [[user.email]]
    assert EmailDelivery.objects.get().status == EmailDelivery.Status.SENT


def test_a_malformed_address_is_told_so(client, mailoutbox):
    response = client.post("/auth/password/forgot/", {"email": "not an email"})
    assert response.status_code == 200
    assert b"valid email" in response.content


def test_reset_sets_the_password_revokes_every_session_and_signs_in_afresh(
    client, user, reset_link, mailoutbox, django_capture_on_commit_callbacks
):
    from django.test import Client

    user.email_verified_at = None  # the reset link proves the address (checked below)
    user.save(update_fields=["email_verified_at"])
    other_device = Client()
    other_device.force_login(user)
    assert other_device.get("/account/").status_code == 200

    page = client.get(reset_link)
    assert page.status_code == 200 and b"Choose a new password" in page.content
    assert page["Referrer-Policy"] == "same-origin"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reset_link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert user.email_verified_at is not None  # the link proved the address
    # The other device is signed out; this browser is signed in on a fresh session.
    assert other_device.get("/account/").status_code == 302
    assert client.get("/account/").status_code == 200
    assert Session.objects.filter(user=user, revoked_at__isnull=True).count() == 1
    assert "Your Pacetrack password was changed" in [m.subject for m in mailoutbox]


def test_the_reset_link_is_single_use(client, reset_link):
    client.post(reset_link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    client.post("/auth/sign-out/")
    response = client.get(reset_link)
    assert response.status_code == 400
    assert b"already been used" in response.content


def test_the_reset_link_expires_after_an_hour(client, user, reset_link):
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        response = client.post(reset_link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 400
    assert b"expired" in response.content
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_any_password_change_kills_outstanding_reset_links(client, user, reset_link):
    user.set_password("changed-elsewhere-123")
    user.save()
    response = client.get(reset_link)
    assert response.status_code == 400
    assert b"password was changed" in response.content


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"password1": NEW_PASSWORD, "password2": "different-one-123"}, b"don&#x27;t match"),
        ({"password1": "short", "password2": "short"}, b"too short"),
        ({"password1": "password123", "password2": "password123"}, b"too common"),
        # Both at once: a mismatch does not hide that it is too short.
        ({"password1": "short", "password2": "shirt"}, b"too short"),
        ({"password1": "short", "password2": "shirt"}, b"don&#x27;t match"),
    ],
)
def test_weak_or_mismatched_passwords_are_refused(client, user, reset_link, data, error):
    response = client.post(reset_link, data)
    assert response.status_code == 200
    assert error in response.content
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_inactive_users_get_no_reset_email(client, mailoutbox, django_capture_on_commit_callbacks):
    inactive = UserFactory(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/auth/password/forgot/", {"email": inactive.email})
    assert mailoutbox == []


def test_the_success_message_is_in_the_persons_language_not_the_browsers(client, user, reset_link):
    """Reset from a German browser by someone who reads English: the page after it is
    in English (their choice), and so is the message on it."""
    user.language = "en"
    user.save(update_fields=["language"])

    response = client.post(
        reset_link,
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        HTTP_ACCEPT_LANGUAGE="de",
        follow=True,
    )

    html = response.content.decode()
    assert '<html lang="en"' in html
    assert "Your password was changed and every other device was signed out." in html


def test_every_new_password_field_gives_the_same_hint(client, user, reset_link) -> None:
    """The reset form said "At least 10 characters; not a common password." while sign-up
    and the account page said more (the similarity rule applies to a reset too)."""
    hint = "At least 10 characters, not too common and not like your name or email."

    reset_page = client.get(reset_link).content.decode()
    sign_up = Client().get("/auth/sign-up/").content.decode()
    client.force_login(user)
    account = client.get("/account/").content.decode()

    for page in (reset_page, sign_up, account):
        assert hint in page
    assert "not a common password" not in reset_page


def test_the_hint_names_the_length_the_validator_in_settings_enforces(client, settings) -> None:
    """The "10" was written into the hint apart from `min_length`: a project raising the
    minimum to 14 still told people 10, and refused what they typed by its advice."""
    settings.AUTH_PASSWORD_VALIDATORS = [
        {
            "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
            "OPTIONS": {"min_length": 14},
        },
    ]

    sign_up = client.get("/auth/sign-up/").content.decode()
    refused = client.post(
        "/auth/sign-up/", {"name": "Ada", "email": "ada@example.com", "password": "thirteen-char"}
    ).content.decode()

    assert "At least 14 characters, not too common and not like your name or email." in sign_up
    assert "At least 10 characters" not in sign_up
    assert "at least 14 characters" in refused


def test_the_security_log_of_a_reset_never_holds_its_token(client, reset_link, caplog):
    """An operator found `sign_in.succeeded … path=/auth/password/reset/<token>/`."""
    caplog.set_level(logging.INFO, logger="pacetrack.security")
    token = reset_link.rstrip("/").rsplit("/", 1)[1]

    client.post(reset_link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    lines = [r.getMessage() for r in caplog.records if r.name == "pacetrack.security"]
    assert any("path=/auth/password/reset/[token]/" in line for line in lines), lines
    assert not any(token in line for line in lines)
    assert all(token not in str(getattr(r, "path", "")) for r in caplog.records)
