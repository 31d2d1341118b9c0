"""The pages under the Settings tab link to each other the same way, at 1280 px and on a
360 px phone: each has its own heading (not the general page's) and the row of links
with itself marked; a member who may manage none of them gets no row."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import UserFactory
from tests.core.browser import sign_in
from tests.mfa.test_browser import no_horizontal_overflow
from tests.tenants.factories import OrgFactory, add_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each link of the row, and the heading of the page it opens.
PAGES = [
    ("General settings", "Settings"),
    ("Domains", "Domains"),
    ("Single sign-on", "Single sign-on"),
    ("Directory sync (SCIM)", "Directory sync (SCIM)"),
    ("API keys", "API keys"),
    ("Webhooks", "Webhooks"),
]


@pytest.mark.parametrize("width", [1280, 360])
def test_every_settings_page_links_to_the_others(
    _browser: Any, live_server: Any, width: int
) -> None:
    owner = UserFactory()
    org = OrgFactory(owner=owner, name="Acme")
    context = _browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}
    )
    try:
        page = context.new_page()
        sign_in(page, owner.email, then=f"/t/{org.slug}/settings/")
        for link, heading in PAGES:
            nav = page.get_by_test_id("settings-nav")
            nav.get_by_role("link", name=link, exact=True).click()
            expect(page.locator("main h2").first).to_have_text(heading)
            current = page.get_by_test_id("settings-nav").locator('[aria-current="page"]')
            expect(current).to_have_text(link)
            expect(page.get_by_role("link", name="Settings", exact=True)).to_have_attribute(
                "aria-current", "page"
            )
            assert no_horizontal_overflow(page), link
    finally:
        context.close()


def test_a_member_who_manages_none_of_them_gets_no_row(_browser: Any, live_server: Any) -> None:
    org = OrgFactory(owner=UserFactory(), name="Acme")
    member = add_member(org, UserFactory())
    context = _browser.new_context(base_url=live_server.url)
    try:
        page = context.new_page()
        sign_in(page, member.user.email, then=f"/t/{org.slug}/settings/")
        expect(page.locator("main h2").first).to_have_text("Settings")
        expect(page.get_by_test_id("settings-nav")).to_have_count(0)
    finally:
        context.close()
