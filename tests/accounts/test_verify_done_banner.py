"""The page that confirms an address shows the account as it is after confirming."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.services_email import email_verification_send
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.accounts.mailtools import link_in

BANNER = "Please confirm your email address"


@pytest.mark.django_db
def test_the_confirmed_page_no_longer_asks_to_confirm(
    client: Any, settings: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    settings.ACCOUNTS_SIGNUP_EMAIL_CONFIRMATION = False  # signed in, address unconfirmed
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/auth/sign-up/",
            {"name": "Ada", "email": "ada@example.com", "password": "an-analytical-engine"},
        )
    assert BANNER in client.get("/account/").content.decode()

    page = client.get(link_in(mailoutbox[0])).content.decode()

    assert "Email address confirmed" in page
    assert BANNER not in page
    assert BANNER not in client.get("/account/").content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_the_confirmed_page_shows_no_banner(
    page: Any, settings: Any, mailoutbox: list[Any]
) -> None:
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False  # plain HTTP
    user = UserFactory(unverified=True)
    page.goto("/auth/sign-in/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/t/**")
    expect(page.get_by_role("region", name="Email verification")).to_be_visible()

    email_verification_send(user=user)
    page.goto(link_in(mailoutbox[-1]))

    expect(page.get_by_role("heading", name="Email address confirmed")).to_be_visible()
    expect(page.get_by_role("region", name="Email verification")).to_have_count(0)
