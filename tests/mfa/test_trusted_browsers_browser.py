"""In a real browser, at desktop and phone width: "Don't ask again on this browser".

Ticked at the second step, the browser signs in with the password alone once its
session is gone (the session cookie dropped, the others kept: an explicit sign-out
would clear them all); forgotten on the security page, it is asked for a code again."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

from mfa.totp import totp_code_at
from tests.accounts.factories import UserFactory
from tests.config.pagecheck import PageWatch
from tests.mfa.helpers import enable_totp
from tests.mfa.test_browser import sign_in_with_password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BOX = "Don't ask again on this browser for 30 days"


def session_ends(page: Any) -> None:
    """The session is over (expired, signed out elsewhere); the other cookies stay."""
    page.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)
    page.goto("/account/")
    page.wait_for_url("**/auth/sign-in/**")


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_a_trusted_browser_skips_the_code_until_it_is_forgotten(page: Any, width: int) -> None:
    person = UserFactory()
    secret, _ = enable_totp(person)
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)

    sign_in_with_password(page, person.email)
    page.wait_for_url("**/auth/sign-in/verify/")
    assert watch.check("/auth/sign-in/verify/") == []
    box = page.get_by_label(BOX)
    expect(box).not_to_be_checked()
    expect(page.get_by_text("Signing out forgets it")).to_be_visible()
    page.get_by_label("Authentication code").fill(totp_code_at(secret))
    box.check()
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/t/**")

    session_ends(page)
    sign_in_with_password(page, person.email)
    page.wait_for_url("**/t/**")  # no second step

    assert watch.check("/account/security/") == []
    listed = page.get_by_test_id("trusted-browser-list")
    expect(listed.locator("li")).to_have_count(1)
    expect(listed).to_contain_text("This browser")
    expect(listed).to_contain_text("Last used")
    listed.get_by_role("button", name=re.compile("^Forget ")).click()
    page.wait_for_url("**/account/security/#trusted-browsers")
    expect(page.get_by_text(re.compile("^Forgotten: .* will ask for a code"))).to_be_visible()
    expect(page.get_by_test_id("trusted-browsers-empty")).to_be_visible()
    assert watch.check("/account/security/") == []

    session_ends(page)
    sign_in_with_password(page, person.email)
    page.wait_for_url("**/auth/sign-in/verify/")
    expect(page.get_by_label("Authentication code")).to_be_visible()
