"""In Chromium: someone who signed up with Google (the local provider on loopback)
sets a first password on the account page, then signs in with it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests.mfa.helpers import age_sign_in
from tests.sso.idp import LocalIdP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSPHRASE = "a fresh long passphrase 42"


@pytest.mark.parametrize("width", [1280, 360])
def test_a_google_sign_up_sets_a_password_and_signs_in_with_it(
    _browser: Any, live_server: Any, social: LocalIdP, width: int
) -> None:
    social.user = {
        "sub": "g-77",
        "email": "sam@gmail.example",
        "name": "Sam Social",
        "email_verified": True,
    }
    context = _browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}
    )
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto("/auth/sign-in/")
        page.get_by_role("button", name="Continue with Google").click()
        page.wait_for_url("**/t/*/")

        # A sensitive page later on: confirmed with Google, no password asked for.
        age_sign_in(User.objects.get(email="sam@gmail.example"))
        page.goto("/account/security/authenticator/")
        expect(page.get_by_text("Confirm it's you the way you sign in")).to_be_visible()
        expect(page.get_by_label("Your password")).to_have_count(0)
        separator = page.get_by_text("or", exact=True)  # above the provider's button
        expect(separator).to_have_count(1)
        expect(separator).to_be_hidden()
        page.get_by_role("button", name="Confirm with Google").click()
        page.wait_for_url("**/account/security/authenticator/")

        page.goto("/account/")
        card = page.locator("#password")
        expect(card.get_by_role("heading", name="Set a password")).to_be_visible()
        expect(card.get_by_label("Current password")).to_have_count(0)
        card.get_by_label("New password", exact=True).fill(PASSPHRASE)
        card.get_by_label("Confirm new password").fill(PASSPHRASE)
        card.get_by_role("button", name="Set password").click()
        expect(page.get_by_text("Your password is set.")).to_be_visible()
        expect(page.locator("#password").get_by_label("Current password")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width

        context.clear_cookies()
        page.goto("/auth/sign-in/")
        page.get_by_label("Email").fill("sam@gmail.example")
        page.get_by_label("Password").fill(PASSPHRASE)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/t/*/")
    finally:
        context.close()
    assert User.objects.get(email="sam@gmail.example").has_usable_password()
