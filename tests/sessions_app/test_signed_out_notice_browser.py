"""In a real browser, on a phone: the laptop signs out every other device, and the
phone's next tap lands on the sign-in page, which says why, once, naming no account."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import UserFactory
from tests.config.pagecheck import PageWatch
from tests.core.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
NOTICE = "This device was signed out from another device. Sign in again."


def test_the_phone_signed_out_from_the_laptop_is_told_why_on_its_next_tap(
    _browser: Any, live_server: Any
) -> None:
    person = UserFactory(email="ada@example.com", name="Ada Lovelace")
    laptop = _browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 800}, user_agent=FIREFOX_LINUX
    )
    phone = _browser.new_context(
        base_url=live_server.url, viewport={"width": 360, "height": 740}, user_agent=IPHONE
    )
    try:
        at_desk, in_hand = laptop.new_page(), phone.new_page()
        watch = PageWatch.attach(in_hand)
        sign_in(in_hand, person.email, then="/account/")
        sign_in(at_desk, person.email, then="/account/sessions/")

        at_desk.get_by_role("button", name="Sign out all other devices").click()
        at_desk.get_by_role("dialog").get_by_role("button", name="Sign out other devices").click()
        expect(at_desk.get_by_text("Signed out 1 other device.")).to_be_visible()

        in_hand.get_by_role("link", name="Devices").click()
        in_hand.wait_for_url("**/auth/sign-in/**")
        expect(in_hand.locator("main").get_by_role("status")).to_have_text(NOTICE)
        expect(in_hand.get_by_role("heading", name="Sign in to Pacetrack")).to_be_visible()
        page = in_hand.content()
        assert person.email not in page and person.name not in page
        assert watch.check_here() == []

        in_hand.reload()  # told once
        expect(in_hand.get_by_role("heading", name="Sign in to Pacetrack")).to_be_visible()
        expect(in_hand.get_by_text("This device was signed out")).to_have_count(0)
    finally:
        laptop.close()
        phone.close()
