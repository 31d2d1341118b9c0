"""In a real browser, at desktop and phone width: after turning on an authenticator
app, the security page names the device that signed in with the password alone
(someone with a stolen password, say) and signs it out with one button."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.accounts.factories import UserFactory
from tests.config.pagecheck import PageWatch
from tests.core.browser import sign_in
from tests.mfa.test_browser import enrol
from tests.sessions_app.helpers import sign_in as sign_in_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_the_device_that_signed_in_before_two_factor_is_signed_out_from_the_security_page(
    page: Any, width: int
) -> None:
    person = UserFactory()
    thief = Client()
    sign_in_client(thief, person)  # the password alone, before two-factor
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, person.email)

    page.goto("/account/security/")
    expect(page.get_by_test_id("without-second-step")).to_have_count(0)
    enrol(page)
    page.get_by_role("link", name="I've saved them").click()
    page.wait_for_url("**/account/security/")

    offer = page.get_by_test_id("without-second-step")
    expect(offer).to_contain_text("One other device is signed in without two-factor authentication")
    assert watch.check("/account/security/") == []
    page.get_by_role("button", name="Sign it out").click()

    page.wait_for_url("**/account/security/")
    expect(
        page.get_by_text("Signed out 1 device that signed in without two-factor authentication.")
    ).to_be_visible()
    expect(page.get_by_test_id("without-second-step")).to_have_count(0)
    assert thief.get("/account/").status_code == 302  # sent to sign in
    page.goto("/account/")
    assert "/auth/" not in page.url  # this browser stays signed in
