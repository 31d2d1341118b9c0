"""The admin needs a second factor from staff (MFA_ADMIN_REQUIRED)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from mfa.totp import totp_code_at
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.mfa.helpers import enable_totp

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _required(request: Any, settings: Any) -> None:
    if "production" not in request.node.name:
        settings.MFA_ADMIN_REQUIRED = True


def test_staff_without_two_factor_are_sent_to_set_it_up(staff_client: Client) -> None:
    response = staff_client.get("/admin/")

    assert response.status_code == 403
    assert "Set up two-factor authentication" in response.content.decode()


def test_turning_on_an_app_in_this_session_opens_the_admin(staff_client: Client) -> None:
    page = staff_client.get("/account/security/authenticator/").content.decode()
    secret = page.split('data-testid="totp-secret">')[1].split("<")[0].replace(" ", "")
    staff_client.post("/account/security/authenticator/", {"code": totp_code_at(secret)})

    assert staff_client.get("/admin/").status_code == 200


def test_a_session_signed_in_with_the_second_factor_opens_the_admin(staff: Any) -> None:
    secret, _ = enable_totp(staff)
    client = Client()
    client.post("/auth/sign-in/", {"email": staff.email, "password": DEFAULT_PASSWORD})
    client.post("/auth/sign-in/verify/", {"factor": "totp", "code": totp_code_at(secret)})

    assert client.get("/admin/").status_code == 200


def test_an_older_password_only_session_is_told_to_sign_in_again(
    staff_client: Client, staff: Any
) -> None:
    enable_totp(staff)  # elsewhere, after this session signed in

    response = staff_client.get("/admin/accounts/user/")

    assert response.status_code == 403
    assert "Sign out, then sign in again" in response.content.decode()


def test_a_trusted_browser_sign_in_is_told_it_proved_no_code_here(staff: Any) -> None:
    """Trust skips the sign-in's second step, not the admin's: the page says why the
    password was enough and that signing out forgets the browser."""
    secret, _ = enable_totp(staff)
    trusting = Client()
    trusting.post("/auth/sign-in/", {"email": staff.email, "password": DEFAULT_PASSWORD})
    trusting.post(
        "/auth/sign-in/verify/", {"factor": "totp", "code": totp_code_at(secret), "trust": "on"}
    )
    client = Client()
    client.cookies = trusting.cookies
    client.cookies.pop(settings.SESSION_COOKIE_NAME)  # a new session on the same browser
    client.post("/auth/sign-in/", {"email": staff.email, "password": DEFAULT_PASSWORD})

    response = client.get("/admin/")

    assert response.status_code == 403
    page = " ".join(response.content.decode().split())
    assert "on a browser you trusted, without a code" in page
    assert "with your password alone" not in page


def test_the_setting_off_leaves_the_admin_as_it_was(staff_client: Client, settings: Any) -> None:
    settings.MFA_ADMIN_REQUIRED = False

    assert staff_client.get("/admin/").status_code == 200


def test_the_requirement_is_on_by_default_in_production_and_off_in_debug() -> None:
    from tests.config.test_settings import _production_shell

    shown = "from django.conf import settings; print(settings.MFA_ADMIN_REQUIRED)"
    assert _production_shell(shown)[-1] == "True"
    assert _production_shell(shown, MFA_ADMIN_REQUIRED="false")[-1] == "False"
    assert _production_shell(shown, DEBUG="true")[-1] == "False"
