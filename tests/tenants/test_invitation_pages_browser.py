"""In a real browser, at desktop and phone width: an organisation with many open
invitations pages through them in the invite panel and cancels one on a later page in
place (no reload, still on that page, the count one less)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tenants.models import Invitation
from tenants.views.members import INVITES_PAGE_SIZE
from tests.billing.factories import subscribe
from tests.config.pagecheck import PageWatch
from tests.core.browser import sign_in
from tests.tenants.test_invitation_pages import _invite

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_many_invitations_are_paged_and_cancelled_in_place(
    page: Any, owner: Any, acme: Any, billing_on: Any, width: int
) -> None:
    subscribe(acme, "business")  # no member cap
    newest_first = _invite(acme, owner, INVITES_PAGE_SIZE + 5)
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, owner.email)
    members = f"/t/{acme.slug}/members/"

    assert watch.check(members) == []
    rows = page.locator("tr[id^=invite-]")
    assert rows.count() == INVITES_PAGE_SIZE
    pages = page.get_by_test_id("invites-pagination")
    assert "Page 1 of 2 · 25 invitations" in pages.inner_text()

    pages.get_by_role("link", name="Older invitations").click()
    page.wait_for_url(f"**{members}?invites=2#invite-panel")
    assert rows.count() == 5
    assert watch.check(page.url.split("#")[0]) == []

    target = Invitation.objects.get(pk=newest_first[INVITES_PAGE_SIZE])
    page.evaluate("window.notReloaded = true")
    watch.console.clear()
    row = page.locator(f"#invite-{target.pk}")
    # Each row's buttons say whose invitation they act on (a screen reader's list of
    # buttons read "Resend, Cancel, Resend, Cancel").
    for said in (f"Resend: {target.email}", f"Cancel: {target.email}"):
        expect(row.get_by_role("button", name=said, exact=True)).to_be_visible()
    row.get_by_role("button", name="Cancel").click()
    page.get_by_role("dialog").get_by_role("button", name="Cancel invitation").click()
    page.get_by_text(f"The invitation to {target.email} was cancelled").wait_for()

    assert Invitation.objects.get(pk=target.pk).status == "cancelled"
    assert page.evaluate("window.notReloaded") is True, "swapped in place, no reload"
    assert rows.count() == 4  # still page 2
    assert page.get_by_test_id("pending-count").inner_text() == str(INVITES_PAGE_SIZE + 4)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert watch.console == []
