"""In a real browser: what people see after an htmx action. Actions that used to succeed
silently confirm with a toast; an answer that cannot be shown in place (403, 404, 5xx, no
network) is a toast and changes nothing on the page; controls that cannot succeed are
disabled with the reason beside them, and follow the changes made on the page; a button
is disabled, with a spinner, while its request is in flight."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from sessions_app.services import session_create
from tenants.models import Membership, Role, TeamMember
from tenants.services import membership_change_role, team_delete
from tests.core.browser import dialog, sign_in, workspace
from tests.sessions_app.helpers import FIREFOX_LINUX

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _status_toast(page: Any) -> Any:
    """Confirmations: the polite live region."""
    return page.get_by_role("status").get_by_test_id("toast")


def _alert_toast(page: Any) -> Any:
    """Refusals and failures: the alert region."""
    return page.get_by_role("alert").get_by_test_id("toast")


def _no_page_swapped_in(page: Any) -> None:
    assert page.locator("header").count() == 1
    assert "<html" not in page.locator("main").inner_html()


def test_a_role_change_is_saved_with_its_button_and_says_so(page: Any) -> None:
    w = workspace()
    sign_in(page, w.owner.email, then=w.url("members/"))
    row = page.locator(f"#member-{w.member.pk}")
    save = row.get_by_role("button", name="Save")
    expect(save).to_be_hidden()  # nothing to save yet

    row.get_by_label("Role of mia@example.com").select_option(label="Admin")
    expect(save).to_be_visible()
    save.click()

    expect(_status_toast(page)).to_contain_text("Mia Member is now Admin.")
    assert Membership.objects.get(pk=w.member.pk).role.key == "admin"
    _status_toast(page).get_by_role("button", name="Dismiss").click()
    expect(_status_toast(page)).to_have_count(0)


def test_adding_and_removing_team_members_say_so(page: Any) -> None:
    w = workspace()
    sign_in(page, w.owner.email, then=w.url("teams/"))
    card = page.locator(f"#team-{w.team.pk}")

    card.get_by_label("Add a member to Design").fill("adam@example.com")
    card.get_by_role("button", name="Add member").click()
    expect(_status_toast(page)).to_contain_text("adam@example.com added to Design.")
    assert TeamMember.objects.filter(team=w.team, membership=w.admin).exists()

    card.get_by_role("button", name="Remove adam@example.com from Design").click()
    dialog(page).get_by_role("button", name="Remove", exact=True).click()  # it asks first
    expect(_status_toast(page).last).to_contain_text("adam@example.com removed from Design.")
    assert not TeamMember.objects.filter(team=w.team, membership=w.admin).exists()


def test_the_only_billing_contact_cannot_be_removed_until_there_is_another(page: Any) -> None:
    w = workspace()
    sign_in(page, w.owner.email, then=w.url("members/"))
    mine = page.locator(f"#member-{Membership.objects.get(tenant=w.org, user=w.owner).pk}")
    remove = mine.get_by_role("button", name="Remove billing")
    expect(remove).to_be_disabled()
    expect(remove).to_have_accessible_description(
        "A workspace needs at least one billing contact. Add another one first."
    )

    page.locator(f"#member-{w.admin.pk}").get_by_role("button", name="Add billing").click()
    expect(_status_toast(page)).to_contain_text("adam@example.com is now a billing contact.")
    expect(remove).to_be_enabled()  # the answer updated this row too

    remove.click()
    expect(_status_toast(page).last).to_contain_text(
        "olivia@example.com is no longer a billing contact."
    )
    adams = page.locator(f"#member-{w.admin.pk}").get_by_role("button", name="Remove billing")
    expect(adams).to_be_disabled()


def test_a_new_primary_contact_says_so_and_both_rows_follow(page: Any) -> None:
    w = workspace()
    sign_in(page, w.owner.email, then=w.url("members/"))
    mine = page.locator(f"#member-{Membership.objects.get(tenant=w.org, user=w.owner).pk}")
    adams = page.locator(f"#member-{w.admin.pk}")

    adams.get_by_role("button", name="Make primary").click()

    expect(_status_toast(page)).to_contain_text("adam@example.com is now the primary contact.")
    expect(adams.get_by_text("Primary", exact=True)).to_be_visible()
    expect(mine.get_by_role("button", name="Make primary")).to_be_visible()  # answered too
    remove = adams.get_by_role("button", name="Remove")
    expect(remove).to_be_disabled()
    expect(remove).to_have_accessible_description(
        "The primary contact cannot leave or be removed. Make someone else the primary "
        "contact first."
    )


def test_the_only_owner_cannot_leave_until_there_is_another(page: Any) -> None:
    w = workspace()
    sign_in(page, w.owner.email, then=w.url("members/"))
    leave = page.get_by_test_id("leave-card").get_by_role("button", name="Leave workspace")
    expect(leave).to_be_disabled()
    expect(leave).to_have_accessible_description(
        "The last owner cannot leave or be removed. Transfer ownership first."
    )

    adam = page.locator(f"#member-{w.admin.pk}")
    adam.get_by_label("Role of adam@example.com").select_option(label="Owner")
    adam.get_by_role("button", name="Save").click()
    dialog(page).get_by_role("button", name="Make owner").click()
    expect(_status_toast(page)).to_contain_text("Adam Admin is now Owner.")
    # Olivia is still the primary contact: now that is what keeps her.
    expect(leave).to_have_accessible_description(
        "The primary contact cannot leave or be removed. Make someone else the primary "
        "contact first."
    )


def test_a_role_in_use_cannot_be_deleted_and_says_why(page: Any) -> None:
    w = workspace()
    membership_change_role(tenant=w.org, membership=w.member, role=w.role, acting_user=None)
    sign_in(page, w.owner.email, then=w.url("roles/"))
    delete = page.locator("tr").filter(has_text="Auditor").get_by_role("button", name="Delete")
    expect(delete).to_be_disabled()
    expect(delete).to_have_accessible_description(
        "“Auditor” is held by 1 member. Give them another role first."
    )


def test_a_refusal_after_the_role_changed_elsewhere_is_a_toast_and_changes_nothing(
    page: Any,
) -> None:
    w = workspace()
    sign_in(page, w.admin.user.email, then=w.url("members/"))
    # Meanwhile an owner makes Adam a plain member.
    member_role = Role.objects.get(tenant=w.org, key="member")
    membership_change_role(tenant=w.org, membership=w.admin, role=member_role, acting_user=None)
    row = page.locator(f"#member-{w.member.pk}")
    before = row.inner_html()

    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        row.get_by_role("button", name="Remove").click()
        dialog(page).get_by_role("button", name="Remove member").click()

    assert answer.value.status == 403
    expect(_alert_toast(page)).to_contain_text("You don't have permission to do that")
    assert row.inner_html() == before
    assert Membership.objects.filter(pk=w.member.pk).exists()
    _no_page_swapped_in(page)


def test_acting_on_something_removed_elsewhere_is_a_toast_and_changes_nothing(
    page: Any,
) -> None:
    w = workspace()
    sign_in(page, w.owner.email, then=w.url("teams/"))
    card = page.locator(f"#team-{w.team.pk}")
    team_delete(tenant=w.org, team=w.team, acting_user=None)  # from another device

    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        card.get_by_role("button", name="Add member").click()

    assert answer.value.status == 404
    expect(_alert_toast(page)).to_contain_text("That is no longer here")
    expect(card).to_be_visible()
    _no_page_swapped_in(page)


def test_the_next_answer_replaces_the_confirmation_of_the_action_before(page: Any) -> None:
    """A walk saw "adam@example.com added to Design." still showing beside the refusal of
    the next action, as if both were true now."""
    w = workspace()
    sign_in(page, w.owner.email, then=w.url("teams/"))
    card = page.locator(f"#team-{w.team.pk}")
    card.get_by_label("Add a member to Design").fill("adam@example.com")
    card.get_by_role("button", name="Add member").click()
    expect(_status_toast(page)).to_contain_text("adam@example.com added to Design.")
    team_delete(tenant=w.org, team=w.team, acting_user=None)  # from another device

    card.get_by_role("button", name="Remove adam@example.com from Design").click()
    dialog(page).get_by_role("button", name="Remove", exact=True).click()  # it asks first

    expect(_alert_toast(page)).to_contain_text("That is no longer here")
    expect(_status_toast(page)).to_have_count(0)


def test_a_server_error_is_a_toast_and_its_page_is_not_swapped_in(page: Any) -> None:
    w = workspace()
    sign_in(page, w.owner.email, then=w.url("members/"))
    page.route(
        "**/role/",
        lambda route: route.fulfill(
            status=500,
            content_type="text/html",
            body="<!doctype html><html><body><h1>Server Error (500)</h1></body></html>",
        ),
    )
    row = page.locator(f"#member-{w.member.pk}")

    row.get_by_label("Role of mia@example.com").select_option(label="Admin")
    row.get_by_role("button", name="Save").click()

    expect(_alert_toast(page)).to_contain_text("Something went wrong on our side.")
    expect(page.get_by_text("Server Error (500)")).to_have_count(0)
    _no_page_swapped_in(page)


def test_no_network_is_a_toast(page: Any) -> None:
    w = workspace()
    sign_in(page, w.owner.email, then=w.url("teams/"))
    page.route("**/teams/*/members/", lambda route: route.abort())

    page.locator(f"#team-{w.team.pk}").get_by_role("button", name="Add member").click()

    expect(_alert_toast(page)).to_contain_text("We could not reach the server.")


def test_the_button_is_disabled_and_spins_while_its_request_is_in_flight(page: Any) -> None:
    w = workspace()
    sign_in(page, w.owner.email, then=w.url("members/"))
    held: list[Any] = []
    page.route("**/members/invites/", lambda route: held.append(route))  # answered later
    form = page.get_by_test_id("invite-form")
    send = form.get_by_role("button", name="Send invitation")
    form.locator("input[name=email]").fill("ada@example.com")

    send.click()
    expect(send).to_be_disabled()
    expect(send).to_have_class(re.compile(r"(^|\s)is-busy(\s|$)"))
    form.locator("input[name=email]").press("Enter")  # a second submit is refused too
    page.wait_for_timeout(200)
    assert len(held) == 1

    held[0].continue_()
    expect(page.get_by_test_id("toast")).to_contain_text("Invitation sent to ada@")
    expect(
        page.get_by_test_id("invite-form").get_by_role("button", name="Send invitation")
    ).to_be_enabled()
    assert len(held) == 1


# Said in the toast region, there since the page loaded (marked here before the action):
# a role="status" inserted already filled with the swapped HTML was often not read out.
MARK_REGION = "() => { document.getElementById('toasts-status').dataset.since = 'load'; }"


def _said_once_by_the_region(page: Any, words: str) -> None:
    expect(page.locator("#toasts-status[data-since=load]").get_by_test_id("toast")).to_contain_text(
        words
    )
    expect(page.locator("main").get_by_text(words)).to_have_count(0)  # not said twice
    expect(page.locator("main [role=status]:not(:empty)")).to_have_count(0)


def test_signing_out_a_device_says_so_in_the_toast_region(page: Any) -> None:
    w = workspace()
    session_create(user_id=w.owner.pk, token="f" * 43, user_agent=FIREFOX_LINUX)
    sign_in(page, w.owner.email, then="/account/sessions/")
    page.evaluate(MARK_REGION)
    page.get_by_role("button", name="Sign out Firefox on Linux").click()
    dialog(page).get_by_role("button", name="Sign out device").click()

    expect(page.locator("#session-list li")).to_have_count(1)
    _said_once_by_the_region(page, "Signed out Firefox on Linux.")


def test_sending_and_cancelling_an_invitation_say_so_in_the_toast_region(page: Any) -> None:
    w = workspace()
    sign_in(page, w.owner.email, then=w.url("members/"))
    page.evaluate(MARK_REGION)
    form = page.get_by_test_id("invite-form")
    form.get_by_label("Email address").fill("ada@example.com")
    form.get_by_role("button", name="Send invitation").click()
    _said_once_by_the_region(page, "Invitation sent to ada@example.com.")

    row = page.locator(f"#invite-{w.invitation.pk}")
    row.get_by_role("button", name="Cancel").click()
    dialog(page).get_by_role("button", name="Cancel invitation").click()
    expect(row).to_have_count(0)
    _said_once_by_the_region(page, f"The invitation to {w.invitation.email} was cancelled")
