"""With the keyboard alone, at 1280 px and 360 px: signing out a device or cancelling an
invitation replaces the list that held the focus; the focus stays in that list, so the
next Tab reaches the next row (it fell to the page itself, and Tab went to the footer)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from sessions_app.models import Session
from sessions_app.services import session_create
from tenants.invitations import invitation_create
from tenants.models import Invitation, Role
from tests.accounts.factories import UserFactory
from tests.core.browser import sign_in
from tests.tenants.factories import OrgFactory, add_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED_IN = "(selector) => !!document.activeElement.closest(selector)"


@pytest.mark.parametrize("width", [1280, 360])
def test_signing_out_a_device_by_keyboard_keeps_the_focus_in_the_list(
    _browser: Any, live_server: Any, width: int
) -> None:
    user = UserFactory()
    for n in range(2):
        session_create(user_id=user.pk, token=f"{n}" * 43, user_agent=f"Agent {n}")
    context = _browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}
    )
    try:
        page = context.new_page()
        sign_in(page, user.email, then="/account/sessions/")
        others = page.locator("#session-list li form[hx-post] button")
        expect(others).to_have_count(2)
        others.first.focus()
        page.keyboard.press("Enter")
        dialog = page.locator("#confirm-dialog")
        expect(dialog).to_be_visible()
        page.keyboard.press("Tab")  # from Cancel to the confirming button
        page.keyboard.press("Enter")

        expect(page.locator("#session-list li form[hx-post] button")).to_have_count(1)
        page.wait_for_function(FOCUSED_IN, arg="#session-list")  # once htmx has settled
        page.keyboard.press("Tab")
        assert page.evaluate(FOCUSED_IN, "#session-list"), "Tab left the list"
        assert Session.objects.filter(user=user, revoked_at__isnull=False).count() == 1
    finally:
        context.close()


def test_cancelling_an_invitation_by_keyboard_keeps_the_focus_in_the_panel(
    _browser: Any, live_server: Any
) -> None:
    owner = UserFactory()
    org = OrgFactory(owner=owner, name="Acme")
    member = Role.objects.get(tenant=org, key="member")
    for email in ("a@example.com", "b@example.com"):
        invitation_create(tenant=org, email=email, role=member, acting_user=owner)
    context = _browser.new_context(base_url=live_server.url)
    try:
        page = context.new_page()
        sign_in(page, owner.email, then=f"/t/{org.slug}/members/")
        cancels = page.get_by_test_id("invites-table").get_by_role("button", name="Cancel")
        cancels.first.focus()
        page.keyboard.press("Enter")
        expect(page.locator("#confirm-dialog")).to_be_visible()
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")

        expect(page.get_by_test_id("pending-count")).to_have_text("1")
        page.wait_for_function(FOCUSED_IN, arg="#invite-panel")
        page.keyboard.press("Tab")
        assert page.evaluate(FOCUSED_IN, "#invite-panel"), "Tab left the invitations"
        assert Invitation.objects.filter(tenant=org, cancelled_at__isnull=False).count() == 1
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 360])
def test_removing_a_member_by_keyboard_puts_the_focus_on_the_row_that_took_its_place(
    _browser: Any, live_server: Any, width: int
) -> None:
    """The removed row is gone with its button: the focus fell to the page itself."""
    owner = UserFactory(name="Aaron Owner")
    org = OrgFactory(owner=owner, name="Acme")
    first, second = UserFactory(name="Bea First"), UserFactory(name="Cleo Second")
    add_member(org, first)
    kept = add_member(org, second)
    context = _browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}
    )
    try:
        page = context.new_page()
        sign_in(page, owner.email, then=f"/t/{org.slug}/members/")
        # Each row's button is named with its person (a screen reader lists them).
        page.get_by_role("button", name=f"Remove {first.name}", exact=True).focus()
        page.keyboard.press("Enter")
        expect(page.locator("#confirm-dialog")).to_be_visible()
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")

        expect(page.get_by_test_id("members-table").locator("tbody tr")).to_have_count(2)
        page.wait_for_function(FOCUSED_IN, arg=f"#member-{kept.pk}")
        page.keyboard.press("Tab")
        assert page.evaluate(FOCUSED_IN, f"#member-{kept.pk}"), "Tab left the next row"
    finally:
        context.close()
