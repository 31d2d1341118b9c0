"""In a real browser: account and workspace pages share one frame. The heading, the
tabs and the tab's own heading sit in the same place on every tab, with one tab style,
so moving between tabs (or from a workspace to the account) does not make the page jump.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.accounts.factories import DEFAULT_PASSWORD
from tests.core.browser import sign_in
from tests.tenants.factories import OrgFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORKSPACE_TABS = ["", "members/", "teams/", "roles/", "files/", "billing/", "settings/", "audit/"]
ACCOUNT_TABS = ["/account/", "/account/sessions/", "/account/delete/"]


def _frame(page: Any) -> dict[str, Any]:
    """Where the page's heading, its tab strip and the open tab are, and how tabs look."""
    return page.evaluate(
        """() => {
            const nav = document.querySelector('main nav.tabs');
            const frame = nav.closest('.tabs-frame');  // the strip and its arrows
            const current = nav.querySelector('[aria-current="page"]');
            const box = el => { const r = el.getBoundingClientRect(); return [r.left, r.width]; };
            const style = getComputedStyle(current);
            const next = frame.nextElementSibling;
            return {
                h1: document.querySelector('main h1').getBoundingClientRect().left,
                nav: box(nav),
                navBottomMargin: getComputedStyle(frame).marginBottom,
                current: current.textContent.trim(),
                tabLook: [style.fontSize, style.fontWeight, style.borderBottomWidth,
                          style.borderBottomColor, style.paddingLeft],
                tabHeading: next && next.querySelector('h2')
                    ? next.querySelector('h2').textContent.trim() : null,
            };
        }"""
    )


def test_account_and_workspace_tabs_share_one_frame(page: Any, owner: Any) -> None:
    acme = OrgFactory(owner=owner, name="Acme")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/auth/sign-in/")
    page.fill("input[name=email]", owner.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/t/**")

    frames = {}
    for tab in WORKSPACE_TABS:
        page.goto(f"/t/{acme.slug}/{tab}")
        frames[tab or "overview"] = _frame(page)
    for path in ACCOUNT_TABS:
        page.goto(path)
        frames[path] = _frame(page)

    first = frames["overview"]
    for name, frame in frames.items():
        assert frame["h1"] == first["h1"], f"{name}: the page heading moved"
        assert frame["nav"] == first["nav"], f"{name}: the tab strip moved or changed width"
        assert frame["navBottomMargin"] == first["navBottomMargin"], name
        assert frame["tabLook"] == first["tabLook"], f"{name}: another tab style"
        if name != "overview":
            assert frame["tabHeading"] == frame["current"], f"{name}: the tab's own heading"


def test_on_account_pages_the_switcher_shows_tiles_not_an_empty_square(
    page: Any, owner: Any
) -> None:
    """With no workspace open the switcher's mark was a dark square holding a "·",
    which a walk took for a broken image."""
    acme = OrgFactory(owner=owner, name="Acme")
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, owner.email, then="/account/security/")
    switcher = page.get_by_test_id("tenant-switcher").locator("summary")

    assert switcher.inner_text().strip() == "Workspaces"
    tiles = switcher.get_by_test_id("switcher-tiles")
    assert tiles.is_visible() and tiles.bounding_box()["width"] >= 16

    page.goto(f"/t/{acme.slug}/")
    assert switcher.inner_text().split() == ["A", "Acme", "(switch", "workspace)"]  # sr-only
    assert switcher.get_by_test_id("switcher-tiles").count() == 0
