"""In a real browser: choosing a logo shows the preview, which names the card's own
button ("Save logo"), and that button saves it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.core.browser import sign_in
from tests.uploads.conftest import make_image

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_the_logo_preview_names_the_button_that_saves_it(
    page: Any, owner: Any, acme: Any, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, owner.email, then=f"/t/{acme.slug}/settings/")
    card = page.locator("#logo-card")
    card.locator("input[type=file]").set_input_files(
        files=[{"name": "logo.png", "mimeType": "image/png", "buffer": make_image("PNG", (64, 40))}]
    )

    expect(card.get_by_role("img", name="Preview of the new image")).to_be_visible()
    expect(card).to_contain_text("Press Save logo to use it.")
    card.get_by_role("button", name="Save logo").click()
    expect(card.get_by_role("button", name="Remove logo")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
