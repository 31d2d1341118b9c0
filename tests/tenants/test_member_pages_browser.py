"""In a real browser, at desktop and phone width: a large organisation's members page
shows one page at a time, pages through them, and changes a role on a later page in
place (no error, no reload, still on that page); a deactivated billing contact can only
be taken off."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tenants.models import Membership
from tenants.services import membership_set_billing_contact, membership_suspend
from tenants.views.members import PAGE_SIZE
from tests.accounts.factories import UserFactory
from tests.config.pagecheck import PageWatch
from tests.core.browser import sign_in
from tests.tenants.factories import add_member
from tests.tenants.test_queries import grow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_a_large_organisation_pages_through_its_members(
    page: Any, owner: Any, acme: Any, width: int
) -> None:
    grow(acme, PAGE_SIZE + 10)  # with the owner: 61 members, two pages
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, owner.email)
    members = f"/t/{acme.slug}/members/"

    assert watch.check(members) == []
    rows = page.locator("tr[id^=member-]")
    assert rows.count() == PAGE_SIZE
    pages = page.get_by_test_id("members-pagination")
    assert "Page 1 of 2 · 61 members" in pages.inner_text()

    pages.get_by_role("link", name="Next page").click()
    page.wait_for_url(f"**{members}?page=2")
    assert rows.count() == 11
    assert watch.check(page.url) == []

    last = Membership.objects.filter(tenant=acme).order_by(
        "-role__key", "user__name", "user__email", "pk"
    )[PAGE_SIZE + 10]
    page.evaluate("window.notReloaded = true")
    watch.console.clear()
    page.select_option(f"#role-{last.pk}", label="Admin")
    with page.expect_response(lambda r: r.url.endswith(f"/members/{last.pk}/role/")):
        page.locator(f"#member-{last.pk}").get_by_role("button", name="Save").click()
    page.locator(f"#member-{last.pk} select option:checked").filter(has_text="Admin").wait_for(
        state="attached"
    )

    assert Membership.objects.get(pk=last.pk).role.key == "admin"
    assert page.evaluate("window.notReloaded") is True, "swapped in place, no reload"
    assert page.url.endswith(f"{members}?page=2")
    assert rows.count() == 11
    assert watch.console == []


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_a_deactivated_billing_contact_can_only_be_taken_off(
    page: Any, owner: Any, acme: Any, width: int
) -> None:
    """Someone the identity provider deactivated gets no billing email: their row offers
    neither contact role, only "Remove billing", which works in place."""
    gone = add_member(acme, UserFactory(email="gone@example.com", name="Gone Person"))
    membership_set_billing_contact(
        tenant=acme, membership=gone, is_billing_contact=True, acting_user=owner
    )
    membership_suspend(tenant=acme, membership=gone, acting_user=None)
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, owner.email)

    assert watch.check(f"/t/{acme.slug}/members/") == []
    row = page.locator(f"#member-{gone.pk}")
    expect(row).to_contain_text("Deactivated by your identity provider")
    expect(row.get_by_role("button", name="Make primary")).to_have_count(0)
    row.get_by_role("button", name="Remove billing").click()
    row = page.locator(f"#member-{gone.pk}")
    expect(row.get_by_role("button", name="Remove billing")).to_have_count(0)
    expect(row.get_by_role("button", name="Add billing")).to_have_count(0)
    assert not Membership.objects.get(pk=gone.pk).is_billing_contact
    assert watch.console == []
