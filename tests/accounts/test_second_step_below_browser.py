"""The second step's last lines at 360 and 1280 px: "Sign in as someone else" is a line
of its own. A walk found it run into the sentence about a lost phone, as if part of it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.mfa.helpers import enable_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_sign_in_as_someone_else_stands_on_its_own_line(
    page: Any, width: int, settings: Any
) -> None:
    settings.SUPPORT_EMAIL = "help@example.com"
    user = UserFactory()
    enable_totp(user)
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/auth/sign-in/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/auth/sign-in/verify/")

    sentence = page.get_by_text("Lost your phone and your recovery codes?")
    other = page.get_by_role("link", name="Sign in as someone else")
    expect(sentence).to_contain_text("Write to help@example.com")

    link_top = other.bounding_box()["y"]
    text_bottom = page.evaluate(
        """(link) => {
            const block = link.closest("p");
            const range = document.createRange();
            range.setStart(block, 0);
            range.setEndBefore(link);
            const rects = [...range.getClientRects()].filter((r) => r.width > 0);
            return Math.max(...rects.map((r) => r.bottom));
        }""",
        other.element_handle(),
    )
    assert text_bottom > 0
    assert link_top >= text_bottom, (link_top, text_bottom)
    other.click()
    page.wait_for_url("**/auth/sign-in/")
