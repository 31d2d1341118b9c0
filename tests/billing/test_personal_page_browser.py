"""In Chromium: a personal workspace's billing page is one full-width plan card, and
its upgrade cards offer what a personal workspace can use, at desktop and phone width."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tenants.invitations import invitation_create
from tenants.models import Role
from tests.core.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_the_personal_billing_page_is_one_full_width_plan_card(
    local_billing: Any, page: Any, user: Any, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, user.email, then=f"/t/{user.personal_tenant.slug}/billing/")

    plan = page.locator("section[aria-labelledby=plan-heading]")
    expect(plan).to_be_visible()
    expect(page.get_by_role("heading", name="Billing contacts")).to_have_count(0)
    expect(page.get_by_text("Seats used")).to_have_count(0)
    grid = plan.locator("xpath=..")
    assert abs(plan.bounding_box()["width"] - grid.bounding_box()["width"]) < 1
    hint = page.get_by_test_id("organisation-features")
    expect(hint).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Teams")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    hint.get_by_role("link", name="create one").click()
    page.wait_for_url("**/account/tenants/new/")


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_an_organisation_on_free_counts_its_people_once(
    local_billing: Any, page: Any, owner: Any, acme: Any, width: int
) -> None:
    """ "Seats used 3" stood beside "Members 4 of 5 (1 invitation)" on a plan that bills
    no seats: the same people counted two ways."""
    invitation_create(
        tenant=acme,
        email="new@example.org",
        role=Role.objects.get(tenant=acme, key="member"),
        acting_user=owner,
    )
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, owner.email, then=f"/t/{acme.slug}/billing/")

    members = page.get_by_test_id("billing-member-cap")
    expect(members).to_be_visible()
    expect(members).to_contain_text("(including 1 invitation)")
    expect(page.get_by_text("Seats used")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
