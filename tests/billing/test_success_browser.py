"""In a real browser: the page a checkout returns to, at desktop and phone width."""

from __future__ import annotations

from typing import Any

import pytest

from tests.accounts.factories import UserFactory
from tests.core.browser import sign_in
from tests.tenants.factories import OrgFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each button's label on one line: the height of a one-line button.
ONE_LINE = 44


@pytest.mark.parametrize(
    ("width", "language"), [(1280, "en"), (360, "ar"), (360, "de")], ids=["desktop", "ar", "de"]
)
def test_the_way_back_from_checkout_reads_on_one_line_per_button(
    page: Any, width: int, language: str
) -> None:
    """At 360 px in Arabic "Back to billing" was squeezed into three lines beside a
    wide "Go to <organisation>"."""
    owner = UserFactory(language=language)
    org = OrgFactory(owner=owner, name="Müller & Söhne Maschinenbau")
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, owner.email, then=f"/t/{org.slug}/billing/success/")

    buttons = page.locator("main a.btn")
    assert buttons.count() == 2
    back, go = buttons.nth(0).bounding_box(), buttons.nth(1).bounding_box()
    assert back is not None and back["height"] <= ONE_LINE, back
    if width < 640:  # stacked, each the column's width: the organisation's name may wrap
        assert go is not None and back["width"] == go["width"] >= width - 64, (back, go)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
