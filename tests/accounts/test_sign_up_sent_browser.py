"""In a real browser on a 360 px phone: after signing up, "Check your email" names the
address typed (a typo can be spotted), and "Use a different address" brings the form
back with the name and address filled in, the address focused, the password empty."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.config.pagecheck import PageWatch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Long, without a hyphen to break at, with a typo in the domain: all of it must show,
# within the phone's width.
TYPO = "ivylovelaceanalyticalengine@exmaplecomputinginstitute.org"


def test_a_typo_in_the_address_is_shown_and_corrected_in_the_form_kept_filled_in(
    page: Any, mailoutbox: list[Any]
) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    watch = PageWatch.attach(page)
    page.goto("/auth/sign-up/")
    page.get_by_label("Name").fill("Ivy Lovelace")
    page.get_by_label("Work email").fill(TYPO)
    page.get_by_label("Password", exact=True).fill("analytical-engine-1843")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/auth/sign-up/sent/")

    assert watch.check("/auth/sign-up/sent/") == []
    expect(page.locator("main")).to_contain_text(f"We sent a message to {TYPO}.")
    assert [message.to for message in mailoutbox] == [[TYPO]]
    page.get_by_role("link", name="Use a different address").click()

    page.wait_for_url("**/auth/sign-up/?change=email")
    expect(page.get_by_label("Name")).to_have_value("Ivy Lovelace")
    email = page.get_by_label("Work email")
    expect(email).to_have_value(TYPO)
    expect(email).to_be_focused()
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    assert watch.check(page.url) == []
