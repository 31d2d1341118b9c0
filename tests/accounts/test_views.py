"""Sign-up, sign-in, sign-out and the account page, through the real URLs."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import User
from sessions_app.models import Session
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.accounts.hashers import CountingHasher

pytestmark = [pytest.mark.django_db]


def _form_html(response: Any) -> str:
    html = response.content.decode()
    return re.sub(r"[A-Za-z0-9]{64}", "CSRF", html)  # CSRF tokens differ per response


# --- Sign-up ------------------------------------------------------------------------


def test_instant_sign_up_creates_the_account_and_signs_in(client: Client, settings: Any) -> None:
    # Sign-up by email (the default) is in test_sign_up_by_email.py.
    settings.ACCOUNTS_SIGNUP_EMAIL_CONFIRMATION = False
    response = client.post(
        "/auth/sign-up/",
        {
            "name": "Ada Lovelace",
            "email": " Ada@Example.COM ",
            "password": "analytical-engine-1843",
        },
        follow=True,
    )
    assert response.status_code == 200
    user = User.objects.get(email="ada@example.com")
    assert user.name == "Ada Lovelace" and user.personal_tenant is not None
    assert "Welcome to Pacetrack!" in response.content.decode()
    assert Session.objects.filter(user=user, revoked_at__isnull=True).count() == 1
    assert response.redirect_chain[0][0] == "/app/"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"name": "", "email": "a@example.com", "password": "analytical-engine-1843"},
            "name",
            "Enter your name.",
        ),
        (
            {"name": "Ada", "email": "not-an-email", "password": "analytical-engine-1843"},
            "email",
            "Enter a valid email address.",
        ),
        (
            {"name": "Ada", "email": "a@example.com", "password": "short"},
            "password",
            "This password is too short.",
        ),
        (
            {"name": "Ada", "email": "a@example.com", "password": "password123"},
            "password",
            "This password is too common.",
        ),
        (
            {"name": "Ada", "email": "a@example.com", "password": "12345678901234"},
            "password",
            "This password is entirely numeric.",
        ),
    ],
)
def test_sign_up_explains_bad_input(
    client: Client, data: dict[str, str], field: str, message: str
) -> None:
    response = client.post("/auth/sign-up/", data)
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert message in response.content.decode()
    assert not User.objects.filter(email=data["email"]).exists() or field == "email"


def test_instant_sign_up_refuses_a_taken_email_in_any_case(
    client: Client, settings: Any, user: Any
) -> None:
    settings.ACCOUNTS_SIGNUP_EMAIL_CONFIRMATION = False  # the trade-off of instant sign-up
    response = client.post(
        "/auth/sign-up/",
        {"name": "X", "email": user.email.upper(), "password": "analytical-engine-1843"},
    )
    assert "An account with this email already exists" in response.content.decode()


# --- Sign-in ------------------------------------------------------------------------


def test_sign_in_with_correct_password(client: Client, user: Any) -> None:
    response = client.post(
        "/auth/sign-in/", {"email": user.email.upper(), "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/app/"
    assert client.get("/account/").status_code == 200


def test_unknown_email_and_wrong_password_look_identical(client: Client, user: Any) -> None:
    wrong = client.post("/auth/sign-in/", {"email": user.email, "password": "nope-nope-nope"})
    unknown = client.post(
        "/auth/sign-in/", {"email": "ghost@example.com", "password": "nope-nope-nope"}
    )
    assert wrong.status_code == unknown.status_code == 200
    assert "don&#x27;t match an account" in wrong.content.decode()
    # Same page apart from the echoed email.
    assert _form_html(wrong).replace(user.email, "E") == _form_html(unknown).replace(
        "ghost@example.com", "E"
    )


def test_unknown_email_still_runs_the_password_hasher(client: Client, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["tests.accounts.hashers.CountingHasher"]
    CountingHasher.calls = 0
    client.post("/auth/sign-in/", {"email": "ghost@example.com", "password": "whatever-123"})
    assert CountingHasher.calls == 1  # the dummy hash that evens out the timing


def test_inactive_user_cannot_sign_in(client: Client) -> None:
    UserFactory(email="gone@example.com", is_active=False)
    response = client.post(
        "/auth/sign-in/", {"email": "gone@example.com", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200
    assert "don&#x27;t match an account" in response.content.decode()
    assert Session.objects.count() == 0


def test_sign_in_requires_both_fields_and_says_what_to_enter(client: Client) -> None:
    response = client.post("/auth/sign-in/", {"email": "", "password": ""})
    errors = response.context["form"].errors
    assert errors["email"] == ["Enter your email address."]
    assert errors["password"] == ["Enter your password."]


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/account/sessions/", "/account/sessions/"),
        ("/t/acme/files/?page=2", "/t/acme/files/?page=2"),
        ("//evil.com", "/app/"),
        ("//evil.com/path", "/app/"),
        ("https://evil.com", "/app/"),
        ("http://testserver.evil.com/", "/app/"),
        ("/\\evil.com", "/app/"),
        ("\\\\evil.com", "/app/"),
        ("javascript:alert(1)", "/app/"),
        ("evil.com", "/app/"),
        ("/%09/evil.com", "/%09/evil.com"),  # a path on this site, harmless
        ("", "/app/"),
    ],
)
def test_next_is_only_followed_to_same_site_paths(
    client: Client, user: Any, next_url: str, expected: str
) -> None:
    response = client.post(
        "/auth/sign-in/", {"email": user.email, "password": DEFAULT_PASSWORD, "next": next_url}
    )
    assert response["Location"] == expected


def test_next_from_login_required_round_trips(client: Client, user: Any) -> None:
    page = client.get("/account/sessions/", follow=True)
    assert 'name="next" value="/account/sessions/"' in page.content.decode()
    response = client.post(
        "/auth/sign-in/?next=/account/sessions/",
        {"email": user.email, "password": DEFAULT_PASSWORD, "next": "/account/sessions/"},
    )
    assert response["Location"] == "/account/sessions/"


def test_signed_in_visitor_is_sent_on_from_the_sign_in_page(auth_client: Client) -> None:
    assert auth_client.get("/auth/sign-in/")["Location"] == "/app/"
    assert auth_client.get("/auth/sign-up/")["Location"] == "/app/"


def test_sign_in_with_csrf_enforced(user: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    assert (
        client.post(
            "/auth/sign-in/", {"email": user.email, "password": DEFAULT_PASSWORD}
        ).status_code
        == 403
    )
    token = client.get("/auth/sign-in/").cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(
        "/auth/sign-in/",
        {"email": user.email, "password": DEFAULT_PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


# --- Sign-out -------------------------------------------------------------------------


def test_sign_out_needs_post_and_shows_a_message(auth_client: Client) -> None:
    assert auth_client.get("/auth/sign-out/").status_code == 405
    response = auth_client.post("/auth/sign-out/", follow=True)
    assert "You have been signed out." in response.content.decode()
    assert auth_client.get("/account/").status_code == 302


# --- Account page ---------------------------------------------------------------------


def test_account_page_shows_profile_email_and_password_forms(
    auth_client: Client, user: Any
) -> None:
    html = auth_client.get("/account/").content.decode()
    assert user.email in html
    assert 'href="/account/email/"' in html
    assert 'name="current_password"' in html and 'name="confirm_password"' in html
    assert 'id="avatar"' in html


def test_account_page_requires_sign_in(client: Client) -> None:
    assert client.get("/account/")["Location"] == "/auth/sign-in/?next=/account/"


def test_profile_name_can_be_changed(auth_client: Client, user: Any) -> None:
    response = auth_client.post("/account/", {"name": "  Grace Hopper "}, follow=True)
    assert "Your profile is saved." in response.content.decode()
    user.refresh_from_db()
    assert user.name == "Grace Hopper"


def test_profile_refuses_an_empty_name(auth_client: Client, user: Any) -> None:
    response = auth_client.post("/account/", {"name": "   "})
    assert response.status_code == 200
    assert "Enter your name." in response.content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {
                "current_password": "wrong",
                "new_password": "fresh-passphrase-9",
                "confirm_password": "fresh-passphrase-9",
            },
            "current_password",
            "That isn&#x27;t your current password.",
        ),
        (
            {
                "current_password": DEFAULT_PASSWORD,
                "new_password": "fresh-passphrase-9",
                "confirm_password": "fresh-passphrase-8",
            },
            "confirm_password",
            "The two new passwords don&#x27;t match.",
        ),
        (
            {
                "current_password": DEFAULT_PASSWORD,
                "new_password": "short",
                "confirm_password": "short",
            },
            "new_password",
            "This password is too short.",
        ),
        (
            {
                "current_password": DEFAULT_PASSWORD,
                "new_password": DEFAULT_PASSWORD,
                "confirm_password": DEFAULT_PASSWORD,
            },
            "new_password",
            "Choose a password different from the current one.",
        ),
    ],
)
def test_password_change_explains_bad_input(
    auth_client: Client, user: Any, data: dict[str, str], field: str, message: str
) -> None:
    response = auth_client.post("/account/password/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_password_change_says_every_problem_at_once(auth_client: Client, user: Any) -> None:
    """A mismatch used to hide that the password was too short, found on the next try."""
    response = auth_client.post(
        "/account/password/",
        {
            "current_password": DEFAULT_PASSWORD,
            "new_password": "short",
            "confirm_password": "shirt",
        },
    )

    page = response.content.decode()
    assert "This password is too short." in page
    assert "The two new passwords don&#x27;t match." in page


def test_password_change_reports_signed_out_devices(auth_client: Client, user: Any) -> None:
    other = Client()
    other.force_login(user)
    response = auth_client.post(
        "/account/password/",
        {
            "current_password": DEFAULT_PASSWORD,
            "new_password": "fresh-passphrase-9",
            "confirm_password": "fresh-passphrase-9",
        },
        follow=True,
    )
    assert "Your password has been changed. 1 other device was signed out." in (
        response.content.decode()
    )
    user.refresh_from_db()
    assert user.check_password("fresh-passphrase-9")
    assert other.get("/account/").status_code == 302
