"""In a real browser, at desktop and phone width: a member's role changes only when its
Save button is pressed. Arrow keys on a focused role select (or a slip of the mouse)
send nothing: they used to promote a member one role per keypress, up to owner. Making
someone an owner asks first, in the page's confirmation dialog; cancelling saves
nothing. Inviting someone as an owner asks the same."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from core.models import AuditEvent
from tenants.models import Invitation, Membership
from tests.core.browser import dialog, sign_in, workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_arrow_keys_on_a_role_select_save_nothing_and_owner_asks_first(
    page: Any, width: int
) -> None:
    w = workspace()
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, w.owner.email, then=w.url("members/"))
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    row = page.locator(f"#member-{w.member.pk}")
    select = row.get_by_label("Role of mia@example.com")
    save = row.get_by_role("button", name="Save")
    expect(save).to_be_hidden()

    select.focus()
    for _ in range(4):  # Member → Billing admin → Admin → Owner, were each a save
        page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(300)  # what an auto-save would have taken to leave

    assert posts == []
    assert Membership.objects.get(pk=w.member.pk).role.key == "member"
    assert not AuditEvent.objects.filter(tenant=w.org, action="member.role_changed").exists()
    expect(save).to_be_visible()  # a changed choice offers to save it

    select.select_option(label="Member")  # back to the saved role: nothing to save
    expect(save).to_be_hidden()

    select.select_option(label="Owner")
    save.click()
    asked = dialog(page)
    expect(asked).to_be_visible()
    expect(asked).to_contain_text("Make Mia Member an owner?")
    expect(asked).to_contain_text("Owners can do everything in Acme")
    asked.get_by_role("button", name="Cancel").click()
    expect(asked).to_be_hidden()
    assert posts == [] and Membership.objects.get(pk=w.member.pk).role.key == "member"
    # The page no longer shows what was not done: the saved role, nothing to save (a
    # walk saw "Owner" still chosen and Save offered after cancelling).
    expect(select).to_have_value(str(w.member.role_id))
    expect(save).to_be_hidden()
    # Focus is back on the choice, not lost to the page (the Save that opened the
    # dialog is hidden again): a keyboard goes on from where it was.
    expect(select).to_be_focused()

    select.select_option(label="Owner")
    save.click()
    with page.expect_response(lambda r: r.url.endswith(f"/members/{w.member.pk}/role/")):
        asked.get_by_role("button", name="Make owner").click()

    expect(page.get_by_role("status")).to_contain_text("Mia Member is now Owner.")
    assert Membership.objects.get(pk=w.member.pk).role.key == "owner"
    expect(row.get_by_role("button", name="Save")).to_be_hidden()


def test_a_lower_role_is_saved_without_a_question(page: Any) -> None:
    w = workspace()
    sign_in(page, w.owner.email, then=w.url("members/"))
    row = page.locator(f"#member-{w.admin.pk}")

    row.get_by_label("Role of adam@example.com").select_option(label="Member")
    row.get_by_role("button", name="Save").click()

    expect(page.get_by_role("status")).to_contain_text("Adam Admin is now Member.")
    expect(dialog(page)).to_be_hidden()
    assert Membership.objects.get(pk=w.admin.pk).role.key == "member"


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_inviting_someone_as_an_owner_asks_first(page: Any, width: int) -> None:
    w = workspace()
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, w.owner.email, then=w.url("members/"))
    form = page.get_by_test_id("invite-form")
    form.get_by_label("Email address").fill("olga@example.com")
    form.get_by_label("Role", exact=True).select_option(label="Owner")
    send = form.get_by_role("button", name="Send invitation")

    send.click()
    asked = dialog(page)
    expect(asked).to_be_visible()
    expect(asked).to_contain_text("Invite them as an owner?")
    expect(asked).to_contain_text("Owners can do everything in Acme")
    asked.get_by_role("button", name="Cancel").click()
    expect(asked).to_be_hidden()
    page.wait_for_timeout(300)  # time for a request that should not happen
    assert not Invitation.objects.filter(email="olga@example.com").exists()
    # Declined: the role goes back to the form's own choice; what was typed stays.
    expect(form.get_by_label("Role", exact=True)).to_have_value(
        str(w.member.role_id)  # Member, the form's default
    )
    expect(form.get_by_label("Email address")).to_have_value("olga@example.com")

    form.get_by_label("Role", exact=True).select_option(label="Owner")
    send.click()
    asked.get_by_role("button", name="Invite as owner").click()
    expect(page.get_by_test_id("toast")).to_contain_text("olga@example.com")
    assert Invitation.objects.get(email="olga@example.com").role.key == "owner"


def test_inviting_as_a_member_sends_without_a_question(page: Any) -> None:
    w = workspace()
    sign_in(page, w.owner.email, then=w.url("members/"))
    form = page.get_by_test_id("invite-form")
    form.get_by_label("Email address").fill("pat@example.com")
    form.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_test_id("toast")).to_contain_text("pat@example.com")
    expect(dialog(page)).to_be_hidden()
    assert Invitation.objects.get(email="pat@example.com").role.key == "member"
