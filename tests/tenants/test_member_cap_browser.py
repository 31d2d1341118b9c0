"""In a real browser, billing off (a self-hosted server, where the Free plan's limits
still apply): a workspace at its member cap says so on the overview, and an invitation
past it is refused with what to do instead. Neither offers an upgrade that cannot be
bought (the billing page would only say that billing is not set up). Desktop and phone."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tenants.models import Invitation
from tests.config.pagecheck import PageWatch
from tests.core.browser import sign_in
from tests.tenants.factories import add_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.usefixtures("three_seat_free_plan")
@pytest.mark.parametrize("viewport", [(1280, 800), (360, 740)], ids=["desktop", "phone"])
def test_a_full_workspace_without_billing_says_how_to_make_room(
    page: Any, owner: Any, acme: Any, viewport: tuple[int, int]
) -> None:
    add_member(acme)
    add_member(acme)  # owner + 2: the cap of 3
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    watch = PageWatch.attach(page)
    sign_in(page, owner.email)

    assert watch.check(f"/t/{acme.slug}/") == []
    plan = page.get_by_test_id("plan-card")
    expect(plan.get_by_test_id("usage")).to_contain_text("3 of 3")
    expect(plan).to_contain_text("Limit reached.")
    expect(plan).not_to_contain_text("Upgrade")

    assert watch.check(f"/t/{acme.slug}/members/") == []
    panel = page.locator("#invite-panel")
    panel.get_by_label("Email address").fill("new@example.com")
    panel.get_by_role("button", name="Send invitation").click()

    refusal = page.locator("#invite-panel").get_by_role("alert")
    expect(refusal).to_contain_text("The Free plan allows up to 3 members")
    expect(refusal).to_contain_text(
        "To add someone, remove a member or cancel a pending invitation."
    )
    expect(page.locator("#invite-panel")).not_to_contain_text("pgrade")
    expect(page.get_by_label("Email address")).to_have_value("new@example.com")  # kept
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert watch.axe() == []
    assert Invitation.objects.count() == 0
