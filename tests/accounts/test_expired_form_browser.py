"""Signed out in another tab, a person sends a form from a tab still open: they land on
the sign-in page, told nothing was saved, at 1280 px and on a 360 px phone (Django's
developer "CSRF verification failed" page was shown before)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import UserFactory
from tests.core.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 360])
def test_a_form_sent_after_signing_out_elsewhere_says_nothing_was_saved(
    _browser: Any, live_server: Any, width: int
) -> None:
    user = UserFactory(name="Ada")
    context = _browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}
    )
    try:
        kept, other = context.new_page(), context.new_page()
        sign_in(kept, user.email, then="/account/")
        other.goto("/account/")
        other.evaluate("document.querySelector('form[action$=\"/auth/sign-out/\"]').submit()")
        # The other tab's sign-out has run its course (cleared cookies, then the notice).
        expect(other.get_by_text("You have been signed out.")).to_be_visible()

        kept.get_by_label("Name", exact=True).fill("Ada Lovelace")
        kept.get_by_role("button", name="Save profile").click()

        kept.wait_for_url("**/auth/sign-in/?next=/account/")
        expect(kept.get_by_text("That page had expired, so nothing was saved.")).to_be_visible()
        assert "CSRF" not in kept.content()
        user.refresh_from_db()
        assert user.name == "Ada"
    finally:
        context.close()
