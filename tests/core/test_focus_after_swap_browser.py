"""With the keyboard alone, at 1280 px and 360 px: signing out a device or cancelling an
invitation replaces the list that held the focus; the focus goes to the next row's button
(it fell to the page itself, and Tab went to the footer; then to the whole list, and Tab
went back to its top)."""

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


def _confirm_by_keyboard(page: Any, button: Any) -> None:
    """Press the button, then the confirming button of its dialog (Cancel has the focus)."""
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#confirm-dialog")).to_be_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")


def _focus_in_view(page: Any) -> None:
    box = page.evaluate("() => document.activeElement.getBoundingClientRect().toJSON()")
    height = page.viewport_size["height"]
    assert box["top"] >= 0 and box["bottom"] <= height, f"the focus is off the screen: {box}"


@pytest.mark.parametrize("width", [1280, 360])
def test_signing_out_a_device_by_keyboard_puts_the_focus_on_the_next_devices_button(
    _browser: Any, live_server: Any, width: int
) -> None:
    """Not on the whole list (the next Tab went back to its top): on the next device's
    button, the one before when it was the last, and the list's heading when none is left."""
    user = UserFactory()
    for n in range(3):
        session_create(user_id=user.pk, token=f"{n}" * 43, user_agent=f"Agent {n}")
    context = _browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}
    )
    try:
        page = context.new_page()
        sign_in(page, user.email, then="/account/sessions/")
        rows = page.locator("#session-list li")
        expect(rows).to_have_count(4)
        this, first, middle, last = rows.evaluate_all("rows => rows.map(row => row.id)")
        sign_out = "#{} form[hx-post] button"

        _confirm_by_keyboard(page, page.locator(sign_out.format(first)))
        expect(rows).to_have_count(3)
        expect(page.locator(sign_out.format(middle))).to_be_focused()
        _focus_in_view(page)

        _confirm_by_keyboard(page, page.locator(sign_out.format(last)))  # the last row
        expect(rows).to_have_count(2)
        expect(page.locator(sign_out.format(middle))).to_be_focused()

        _confirm_by_keyboard(page, page.get_by_role("button", name="Sign out all other devices"))
        expect(rows).to_have_count(1)  # this device's, whose button is no htmx form
        expect(page.locator("#session-list-title")).to_be_focused()
        _focus_in_view(page)
        page.keyboard.press("Tab")
        assert page.evaluate(FOCUSED_IN, f"#{this}"), "Tab did not go on to this device"
        assert Session.objects.filter(user=user, revoked_at__isnull=False).count() == 3
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 360])
def test_cancelling_an_invitation_by_keyboard_puts_the_focus_on_the_next_invitation(
    _browser: Any, live_server: Any, width: int
) -> None:
    """Not on the whole invite card (789 px tall, its top off a phone's screen): on the
    next invitation's first button, and on the address field when none is left."""
    owner = UserFactory()
    org = OrgFactory(owner=owner, name="Acme")
    member = Role.objects.get(tenant=org, key="member")
    for email in ("a@example.com", "b@example.com"):
        invitation_create(tenant=org, email=email, role=member, acting_user=owner)
    context = _browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}
    )
    try:
        page = context.new_page()
        sign_in(page, owner.email, then=f"/t/{org.slug}/members/")
        rows = page.get_by_test_id("invites-table").locator("tbody tr")
        first, second = rows.evaluate_all("rows => rows.map(row => row.id)")
        cancel = page.locator(f"#{first}").get_by_role("button", name="Cancel")

        _confirm_by_keyboard(page, cancel)
        expect(page.get_by_test_id("pending-count")).to_have_text("1")
        expect(page.locator(f"#{second}").get_by_role("button", name="Resend")).to_be_focused()
        _focus_in_view(page)

        _confirm_by_keyboard(page, page.locator(f"#{second}").get_by_role("button", name="Cancel"))
        expect(page.get_by_test_id("pending-count")).to_have_text("0")
        expect(page.get_by_label("Email address")).to_be_focused()
        _focus_in_view(page)
        assert Invitation.objects.filter(tenant=org, cancelled_at__isnull=False).count() == 2
    finally:
        context.close()


def test_sending_an_invitation_by_keyboard_puts_the_focus_on_the_address_field(
    page: Any, live_server: Any
) -> None:
    """Where the next one is typed, not the whole card (the button pressed is in a new
    form, without an id to find it by)."""
    owner = UserFactory()
    org = OrgFactory(owner=owner, name="Acme")
    sign_in(page, owner.email, then=f"/t/{org.slug}/members/")
    address = page.get_by_label("Email address")
    address.fill("new@example.com")
    page.get_by_role("button", name="Send invitation").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("pending-count")).to_have_text("1")
    expect(address).to_be_focused()
    expect(address).to_have_value("")


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
