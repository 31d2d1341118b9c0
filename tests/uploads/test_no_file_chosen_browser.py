"""In a real browser, pressing Upload, Save logo or Save picture with no file chosen:
the form says so in the page's language, as every other form does. The browser's own
bubble ("Please select a file.") spoke the browser's language and stopped the post."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.core.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("page_path", "card", "button", "refusal"),
    [
        (
            "files/",
            "section[aria-labelledby=upload-title]",
            "Hochladen",
            "Wählen Sie eine Datei zum Hochladen.",
        ),
        ("settings/", "#logo-card", "Logo speichern", "Wählen Sie ein Bild zum Hochladen."),
        ("/account/", "#avatar", "Bild speichern", "Wählen Sie ein Bild zum Hochladen."),
    ],
    ids=["file", "logo", "avatar"],
)
def test_no_file_chosen_is_said_by_the_form_in_the_readers_language(
    page: Any, owner: Any, acme: Any, page_path: str, card: str, button: str, refusal: str
) -> None:
    type(owner).objects.filter(pk=owner.pk).update(language="de")
    url = page_path if page_path.startswith("/") else f"/t/{acme.slug}/{page_path}"
    sign_in(page, owner.email, then=url)
    form = page.locator(card)

    form.get_by_role("button", name=button, exact=True).click()

    expect(form).to_contain_text(refusal)
