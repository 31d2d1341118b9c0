"""In a real browser: after a refused form the address bar shows the address the form
was posted to. Opening that address again (Enter in the address bar, a bookmark, a
shared link) lands on the form's page, not on the browser's bare "HTTP ERROR 405"."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.core.browser import sign_in, workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_opening_a_refused_form_s_address_again_shows_its_page(page: Any, width: int) -> None:
    w = workspace()
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, w.owner.email, then="/account/")
    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password", exact=True).fill("a-brand-new-one-42")
    page.get_by_label("Confirm new password").fill("a-brand-new-one-42")
    page.get_by_role("button", name="Change password").click()
    page.wait_for_url("**/account/password/")
    expect(page.locator("#password")).to_contain_text("current password")

    answer = page.goto(page.url)  # Enter in the address bar: a GET

    assert answer is not None and answer.ok
    assert page.url.endswith("/account/")
    expect(page.get_by_role("heading", name="Password", exact=True)).to_be_visible()

    answer = page.goto(w.url("teams/new/"))
    assert answer is not None and answer.ok and page.url.endswith(w.url("teams/"))
