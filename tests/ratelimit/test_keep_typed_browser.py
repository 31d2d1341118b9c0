"""In Chromium: a form refused for too many requests (the whole-page 429) loses
nothing typed: "Back to the form" opens it with the fields filled again, never the
password, and only that once."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_back_to_the_form_after_a_429_brings_back_what_was_typed(page: Any, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/auth/sign-in/")
    for _ in range(10):
        page.get_by_label("Email").fill("typed.by.hand@example.com")
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        if page.get_by_role("heading", name="Too many requests").count():
            break
    expect(page.get_by_role("heading", name="Too many requests")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.get_by_role("link", name="Back to the form").click()

    page.wait_for_url("**/auth/sign-in/")
    expect(page.get_by_label("Email")).to_have_value("typed.by.hand@example.com")
    expect(page.get_by_label("Password")).to_have_value("")
    page.reload()  # put back once, not on every later visit
    expect(page.get_by_label("Email")).to_have_value("")
