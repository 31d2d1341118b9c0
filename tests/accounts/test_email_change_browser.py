"""Changing one's email in a real browser, on a 360 px phone and at 1280 px: the link
sent to the new address opens a page that asks before changing anything (a mail
scanner opening the link changes nothing); the button makes the change."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.accounts.mailtools import link_in
from tests.core.browser import sign_in
from tests.mfa.test_browser import no_horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [360, 1280])
def test_the_new_address_is_used_once_its_page_is_confirmed(
    _browser: Any, live_server: Any, mailoutbox: list[Any], width: int
) -> None:
    user = UserFactory(email="ada@example.com")
    context = _browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}
    )
    try:
        page = context.new_page()
        sign_in(page, user.email, then="/account/email/")
        page.get_by_label("New email address").fill("ada.lovelace@example.com")
        page.get_by_label("Current password").fill(DEFAULT_PASSWORD)
        page.get_by_role("button", name="Send confirmation link").click()
        expect(page.get_by_text("Waiting for confirmation")).to_be_visible()

        link = link_in(mailoutbox[-1])
        page.goto(link)
        expect(page.get_by_test_id("new-email")).to_have_text("ada.lovelace@example.com")
        assert no_horizontal_overflow(page)
        user.refresh_from_db()
        assert user.email == "ada@example.com"  # opening the link changed nothing

        page.get_by_role("button", name="Use the new address").click()
        expect(page.get_by_role("heading", name="Your email address was changed")).to_be_visible()
        user.refresh_from_db()
        assert user.email == "ada.lovelace@example.com"
    finally:
        context.close()
