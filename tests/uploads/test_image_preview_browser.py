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


def test_a_logo_over_the_limit_is_refused_before_its_preview_is_asked_for(
    page: Any, owner: Any, acme: Any, settings: Any
) -> None:
    """The input posts itself on change (the preview): a refused file never reaches it."""
    settings.UPLOADS_IMAGE_MAX_BYTES = 100 * 1024
    sign_in(page, owner.email, then=f"/t/{acme.slug}/settings/")
    posts: list[str] = []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.url))
    card = page.locator("#logo-card")
    field = card.locator("input[type=file]")
    big = make_image("PNG", (64, 40)) + b"\0" * 300_000

    field.set_input_files(files=[{"name": "logo.png", "mimeType": "image/png", "buffer": big}])

    expect(card.locator(".field-error")).to_have_text(
        "“\u2068logo.png\u2069”: This file is 0.3 MB; the limit is 0.1 MB."
    )
    expect(field).to_have_attribute("aria-describedby", "id_image_helptext id_image_error")
    assert posts == []
    small = make_image("PNG", (64, 40))
    field.set_input_files(files=[{"name": "logo.png", "mimeType": "image/png", "buffer": small}])
    expect(card.get_by_role("img", name="Preview of the new image")).to_be_visible()
    expect(card.locator(".field-error")).to_have_count(0)


def test_a_logo_over_the_limit_takes_away_the_preview_of_the_one_before(
    page: Any, owner: Any, acme: Any, settings: Any
) -> None:
    """The preview of a fitting logo stayed, saying "Press Save logo", above an input
    the refused file had emptied."""
    settings.UPLOADS_IMAGE_MAX_BYTES = 100 * 1024
    page.set_viewport_size({"width": 360, "height": 800})
    sign_in(page, owner.email, then=f"/t/{acme.slug}/settings/")
    card = page.locator("#logo-card")
    field = card.locator("input[type=file]")
    small = make_image("PNG", (64, 40))
    field.set_input_files(files=[{"name": "logo.png", "mimeType": "image/png", "buffer": small}])
    expect(card.get_by_role("img", name="Preview of the new image")).to_be_visible()

    big = small + b"\0" * 300_000
    field.set_input_files(files=[{"name": "big.png", "mimeType": "image/png", "buffer": big}])

    expect(card.locator(".field-error")).to_contain_text("“\u2068big.png\u2069”")
    expect(card.get_by_role("img", name="Preview of the new image")).to_have_count(0)
    expect(card).not_to_contain_text("Press Save logo")
