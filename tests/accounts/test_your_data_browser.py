"""In Chromium: the "Your data" tab opens without asking again; downloading asks
first when the last confirmation has lapsed, comes back, and then downloads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.mfa.helpers import age_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 360])
def test_your_data_opens_at_once_and_the_download_asks_first(
    browser_context: Any, width: int
) -> None:
    user = UserFactory()
    page = browser_context.new_page()
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/auth/sign-in/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/t/**")
    age_sign_in(user)  # signed in a while ago

    page.goto("/account/")
    page.get_by_role("link", name="Your data").click()
    page.wait_for_url("**/account/delete/")
    expect(page.get_by_role("heading", name="Download your data")).to_be_visible()
    expect(page.get_by_role("heading", name="Delete your account")).to_be_visible()

    page.get_by_role("link", name="Download my data").click()
    page.wait_for_url("**/auth/confirm/**")
    page.get_by_label("Your password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Confirm", exact=True).click()
    page.wait_for_url("**/account/delete/#export")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data").click()
    assert download.value.suggested_filename.startswith("pacetrack-data-")
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["profile"]["email"] == user.email


@pytest.mark.parametrize("width", [1280, 360])
def test_the_delete_forms_box_sits_before_its_words_and_stays_ticked_after_an_error(
    browser_context: Any, width: int
) -> None:
    """At 360 px a walk found "I understand…" on a line of its own over a bare box, laid
    out unlike every other checkbox here."""
    from tests.core.browser import sign_in

    user = UserFactory()
    page = browser_context.new_page()
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, user.email, then="/account/delete/")
    box = page.get_by_label("I understand that I cannot undo this myself.")
    words = page.locator(f"label[for='{box.get_attribute('id')}']")

    def beside() -> bool:
        b, w = box.bounding_box(), words.bounding_box()
        return (
            b["x"] + b["width"] <= w["x"]
            and b["y"] < w["y"] + w["height"]
            and w["y"] < b["y"] + b["height"]
        )

    assert beside(), (box.bounding_box(), words.bounding_box())
    box.check()
    page.get_by_label("Your password").fill("not-my-password")
    page.get_by_role("button", name="Delete my account").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete my account").click()

    expect(page.get_by_text("That isn't your current password.")).to_be_visible()
    expect(box).to_be_checked()
    assert beside()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
