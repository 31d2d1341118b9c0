"""Below 640 px a list table becomes one card per row, each value labelled with its
column's heading. In German a heading can be one long word ("BERECHTIGUNGEN"): the
labels' column must fit it, or the word runs into the value beside it; and a value's
words ("Zum Hauptkontakt machen") must wrap inside the card, not run past it."""

from __future__ import annotations

from typing import Any

import pytest

from api.services import api_key_create
from tenants.models import Membership
from tests.core.browser import sign_in, workspace
from webhooks.services import endpoint_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# For each labelled cell: its label's longest word, measured in the label's own style,
# against the width of the labels' column; the cells whose word is wider.
LABELS_THAT_DO_NOT_FIT = """
() => {
  const probe = document.createElement("span");
  probe.style.position = "absolute";
  probe.style.whiteSpace = "nowrap";
  document.body.append(probe);
  const crowded = [];
  for (const cell of document.querySelectorAll(".table-stack td[data-label]")) {
    if (!cell.offsetParent) continue;
    const label = getComputedStyle(cell, "::before");
    for (const name of ["fontSize", "fontWeight", "fontFamily", "letterSpacing", "textTransform"]) {
      probe.style[name] = label[name];
    }
    // The cell's own tracks, or its row's when the cell is a subgrid of it.
    let tracks = getComputedStyle(cell).gridTemplateColumns;
    if (!/^[\\d.]+px/.test(tracks)) {
      tracks = getComputedStyle(cell.parentElement).gridTemplateColumns;
    }
    const column = parseFloat(tracks.split(" ")[0]);
    for (const word of cell.dataset.label.split(/\\s+/)) {
      probe.textContent = word;
      if (probe.getBoundingClientRect().width > column + 0.5) {
        crowded.push(`${word} (${probe.getBoundingClientRect().width.toFixed(0)} > ${column})`);
      }
    }
  }
  probe.remove();
  return crowded;
}
"""

# The cells whose content runs past them (a button's words that do not wrap).
CELLS_THAT_SPILL = """
() => [...document.querySelectorAll(".table-stack td")]
  .filter((cell) => cell.offsetParent && cell.scrollWidth > cell.clientWidth + 1)
  .map((cell) => `${cell.dataset.label || ""}: ${cell.innerText.trim().slice(0, 40)}`)
"""


@pytest.mark.parametrize("language", ["de", "ar", "en"])
def test_no_label_or_value_runs_past_its_place_on_a_phone(
    _browser: Any, live_server: Any, language: str, settings: Any
) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    acme = workspace()
    api_key_create(tenant=acme.org, name="CI", scopes=[], expires_at=None, acting_user=acme.owner)
    endpoint_create(
        tenant=acme.org,
        url="http://127.0.0.1:9/hooks",
        description="Orders",
        event_types=["member.added"],
        acting_user=acme.owner,
    )
    type(acme.owner).objects.filter(pk=acme.owner.pk).update(language=language)
    context = _browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 800})
    crowded: dict[str, list[str]] = {}
    try:
        page = context.new_page()
        sign_in(page, acme.owner.email)
        for path in ("members/", "roles/", "files/", "audit/", "settings/api-keys/"):
            page.goto(acme.url(path))
            assert page.locator(".table-stack td[data-label]").count() > 0, path
            if found := page.evaluate(LABELS_THAT_DO_NOT_FIT) + page.evaluate(CELLS_THAT_SPILL):
                crowded[path] = found
        page.goto("/account/tenants/")
        if found := page.evaluate(LABELS_THAT_DO_NOT_FIT) + page.evaluate(CELLS_THAT_SPILL):
            crowded["/account/tenants/"] = found
    finally:
        context.close()
    assert crowded == {}


# Link buttons ("Add billing") whose text does not start where their box does.
PADDED_LINK_BUTTONS = """
() => [...document.querySelectorAll(".btn-link")]
  .filter((button) => button.offsetParent)
  .filter((button) => {
    const style = getComputedStyle(button);
    return parseFloat(style.paddingInlineStart) || parseFloat(style.paddingInlineEnd);
  })
  .map((button) => button.innerText.trim())
"""


@pytest.mark.parametrize("width", [1280, 360])
def test_link_buttons_line_up_with_the_text_around_them(
    _browser: Any, live_server: Any, width: int
) -> None:
    """A small link button ("Add billing" beside the contact badges) has no button
    padding: its words start where the badges' do, at any width."""
    acme = workspace()
    context = _browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}
    )
    try:
        page = context.new_page()
        sign_in(page, acme.owner.email)
        page.goto(acme.url("members/"))
        small = page.locator(".btn-link.btn-sm")
        assert small.count() >= 3  # "Add billing" or "Make primary" on the rows
        padded = page.evaluate(PADDED_LINK_BUTTONS)
    finally:
        context.close()
    assert padded == []


# Cells whose label is not lined up with the first line of their value.
LABELS_NOT_BESIDE_THE_FIRST_LINE = """
() => [...document.querySelectorAll(".table-stack td[data-label]")]
  .filter((cell) => cell.offsetParent)
  .filter((cell) => !getComputedStyle(cell).alignItems.includes("baseline"))
  .map((cell) => cell.dataset.label)
"""


def test_a_label_stands_beside_the_first_line_of_a_tall_value(
    _browser: Any, live_server: Any, tmp_path: Any
) -> None:
    """The walk's finding: the owner's Contacts (two badges, "Remove billing" and why it
    is disabled) centred its label beside the reason, a line below the badges, which
    then read as part of the Role above."""
    acme = workspace()
    context = _browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 800})
    try:
        page = context.new_page()
        sign_in(page, acme.owner.email)
        page.goto(acme.url("members/"))
        owner = Membership.objects.get(tenant=acme.org, user=acme.owner)
        contacts = page.locator(f"#member-{owner.pk} td[data-label='Contacts']")
        assert contacts.locator(".badge").count() == 2  # Primary and Billing
        contacts.screenshot(path=str(tmp_path / "contacts.png"))
        misplaced = page.evaluate(LABELS_NOT_BESIDE_THE_FIRST_LINE)
    finally:
        context.close()
    assert misplaced == []
