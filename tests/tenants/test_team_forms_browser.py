"""In a real browser: the teams page's forms at phone width. Each card's add field is
wide enough to show its whole hint ("Name or email address", longer in German), on a
sub-team's indented card too: the button goes below it when the row is narrow. A team's
"Rename / move" offers only the teams it can move into, never one inside it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import UserFactory
from tests.core.browser import sign_in
from tests.tenants.factories import OrgFactory, add_member, make_team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The field's hint against its box: canvas measures the text in the input's own font.
HINT_FITS = """input => {
    const style = getComputedStyle(input);
    const context = document.createElement("canvas").getContext("2d");
    context.font = style.font;
    const text = context.measureText(input.placeholder).width;
    const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return {text, room};
}"""


@pytest.mark.parametrize(
    ("width", "language"),
    [(360, "en"), (360, "de"), (360, "ar"), (1280, "de")],
    ids=["phone-en", "phone-de", "phone-ar", "desktop-de"],
)
def test_each_card_s_add_field_shows_its_whole_hint(page: Any, width: int, language: str) -> None:
    owner = UserFactory(language=language)
    acme = OrgFactory(owner=owner, name="Acme")
    add_member(acme)  # someone to add, so the cards offer the field
    platform = make_team(acme, "Platform")
    on_call = make_team(acme, "On-call", parent=platform)
    weekend = make_team(acme, "Weekend rota", parent=on_call)
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, owner.email, then=f"/t/{acme.slug}/teams/")

    for team in (platform, on_call, weekend):
        field = page.locator(f"#add-{team.pk}")
        expect(field).to_be_visible()
        fit = field.evaluate(HINT_FITS)
        assert fit["text"] <= fit["room"], (team.name, fit)
        button = page.locator(f"#team-{team.pk} form:has(#add-{team.pk}) button[type=submit]")
        expect(button).to_be_visible()
        box = button.bounding_box()
        assert box is not None and box["x"] + box["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_rename_or_move_offers_no_team_inside_it(page: Any) -> None:
    owner = UserFactory()
    acme = OrgFactory(owner=owner, name="Acme")
    platform = make_team(acme, "Platform")
    on_call = make_team(acme, "On-call", parent=platform)
    make_team(acme, "Weekend rota", parent=on_call)
    make_team(acme, "Design")
    page.set_viewport_size({"width": 360, "height": 800})
    sign_in(page, owner.email, then=f"/t/{acme.slug}/teams/")

    page.locator(f"#team-{platform.pk}").get_by_role("link", name="Rename / move").click()
    options = page.get_by_label("Inside team").locator("option")

    expect(options).to_have_text(["— top level —", "Design"])
