"""In Chromium: a form refused for too many requests (the whole-page 429) loses
nothing typed: "Back to the form" opens it with the fields filled again, never a
password or a one-time code, and only that once."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.mfa.helpers import enable_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fail_until_paused(page: Any, addresses: list[str]) -> None:
    """Wrong passwords from this browser's address, one per address, until the whole-page
    429 ("Too many requests") answers."""
    page.goto("/auth/sign-in/")
    for address in addresses:
        page.get_by_label("Email").fill(address)
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        if page.get_by_role("heading", name="Too many requests").count():
            break
    expect(page.get_by_role("heading", name="Too many requests")).to_be_visible()


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_back_to_the_form_after_a_429_brings_back_what_was_typed(page: Any, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    fail_until_paused(page, ["typed.by.hand@example.com"] * 10)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.get_by_role("link", name="Back to the form").click()

    page.wait_for_url("**/auth/sign-in/")
    expect(page.get_by_label("Email")).to_have_value("typed.by.hand@example.com")
    expect(page.get_by_label("Password")).to_have_value("")
    page.reload()  # put back once, not on every later visit
    expect(page.get_by_label("Email")).to_have_value("")


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_sign_in_paused_for_this_address_offers_a_password_reset(page: Any, width: int) -> None:
    """A walk found someone behind an office's one address paused by colleagues' typos,
    her right password refused too, offered only the home page and the form. A reset
    has its own budget, so it is the way on now."""
    page.set_viewport_size({"width": width, "height": 800})
    fail_until_paused(page, [f"colleague{n}@example.com" for n in range(10)])
    expect(page.get_by_role("link", name="Back to the form")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # Each way on reads on one line, stacked on a phone (three side by side at 360 px
    # wrapped each label onto three lines).
    actions = page.locator("main .btn")
    assert actions.count() == 3
    heights = [actions.nth(i).bounding_box()["height"] for i in range(3)]
    assert max(heights) < 50, heights

    page.get_by_role("link", name="Reset your password").click()

    page.wait_for_url("**/auth/password/forgot/")
    page.get_by_label("Email").fill("kim@example.com")
    page.get_by_role("button", name="Send reset link").click()
    page.wait_for_url("**/auth/password/forgot/sent/")


def test_a_one_time_code_is_never_noted(page: Any) -> None:
    """The second step's code is a secret of a moment: sending it notes the form
    (keep-typed.js), but never the code."""
    user = UserFactory()
    enable_totp(user)
    page.goto("/auth/sign-in/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/auth/sign-in/verify/")
    # Hold the form on this page once the script has seen it go, to read its note.
    page.evaluate("document.addEventListener('submit', (e) => e.preventDefault())")
    page.get_by_label("Authentication code").fill("493817")
    page.get_by_role("button", name="Verify").click()

    noted = page.evaluate("window.sessionStorage.getItem('pacetrack:typed')")
    assert noted is not None and "/auth/sign-in/verify/" in noted
    assert "493817" not in noted
