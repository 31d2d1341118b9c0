"""In a real browser: sign up, sign out, and revoking another browser's session."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import UserFactory
from tests.accounts.mailtools import sign_up_by_email
from tests.core.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_then_sign_out(page: Any, mailoutbox: list[Any]) -> None:
    sign_up_by_email(
        page, mailoutbox, name="Ada Lovelace", email="ada@example.com", password="analytical-1843"
    )
    assert "Welcome to Pacetrack!" in page.content()
    page.locator("header nav summary").click()  # the user menu
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have been signed out.")).to_be_visible()
    page.goto("/account/")
    assert "/auth/sign-in/" in page.url


def test_revoking_another_browser_signs_it_out_on_its_next_click(
    _browser: Any, live_server: Any
) -> None:
    user = UserFactory()
    first = _browser.new_context(
        base_url=live_server.url,
        user_agent="Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    )
    second = _browser.new_context(base_url=live_server.url)
    try:
        page_a, page_b = first.new_page(), second.new_page()
        sign_in(page_a, user.email)
        sign_in(page_b, user.email)
        page_b.goto("/account/")

        page_a.goto("/account/sessions/")
        rows = page_a.locator("#session-list li")
        assert rows.count() == 2
        # Each button says which device it signs out (a walk heard two "Sign out").
        names = rows.get_by_role("button").evaluate_all("bs => bs.map((b) => b.ariaLabel)")
        assert sorted(names) == ["Sign out HeadlessChrome on Linux", "Sign out this device"]
        other = rows.filter(has_not_text="This device")
        other.get_by_role("button", name="Sign out HeadlessChrome on Linux").click()
        page_a.get_by_role("dialog").get_by_role("button", name="Sign out device").click()
        page_a.get_by_text("Signed out").wait_for()
        assert page_a.locator("#session-list li").count() == 1
        assert "/account/sessions/" in page_a.url  # no full reload, no redirect

        page_b.click("text=Devices")
        page_b.wait_for_url("**/auth/sign-in/**")
        assert "Sign in to Pacetrack" in page_b.content()
    finally:
        first.close()
        second.close()


@pytest.mark.parametrize("width", [360, 1280])
def test_a_german_reader_recognises_and_signs_out_a_device_by_its_german_name(
    _browser: Any, live_server: Any, width: int
) -> None:
    greta = UserFactory(language="de")
    laptop = _browser.new_context(
        base_url=live_server.url,
        viewport={"width": width, "height": 800},
        user_agent="Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    )
    phone = _browser.new_context(
        base_url=live_server.url,
        user_agent=(
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
        ),
    )
    try:
        page, other = laptop.new_page(), phone.new_page()
        sign_in(other, greta.email)
        sign_in(page, greta.email, then="/account/sessions/")

        rows = page.locator("#session-list li")
        assert rows.filter(has_text="Dieses Gerät").inner_text().startswith("Firefox unter Linux")
        theirs = rows.filter(has_text="Mobile Safari unter iOS")
        assert theirs.count() == 1
        assert "Firefox on Linux" not in page.content()
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0

        theirs.get_by_role("button", name="Abmelden").click()
        asked = page.get_by_role("dialog")
        assert "Mobile Safari unter iOS abmelden?" in asked.inner_text()
        asked.get_by_role("button", name="Gerät abmelden").click()
        page.get_by_text("Mobile Safari unter iOS wurde abgemeldet.").wait_for()
        assert page.locator("#session-list li").count() == 1
    finally:
        laptop.close()
        phone.close()
