"""In a browser with JavaScript turned off, the main paths still work as plain forms:
sign in, invite, change a role (its "Save" button is there), sign out another device,
upload a file, and destructive actions, which ask first on a page of their own
(core/confirm.py) where the dialog would have asked."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import expect

from sessions_app.models import Session
from tenants.models import Invitation, Membership, Team
from tests.core.browser import sign_in, workspace
from uploads.models import Upload

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def page(_browser: Any, live_server: Any) -> Iterator[Any]:
    context = _browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def _flash(page: Any) -> Any:
    return page.locator("main [role=status]").first


def test_sign_in_and_invite_without_javascript(page: Any) -> None:
    w = workspace()
    sign_in(page, w.owner.email, then=w.url("members/"))
    form = page.get_by_test_id("invite-form")
    form.locator("input[name=email]").fill("ada@example.com")

    form.get_by_role("button", name="Send invitation").click()

    expect(_flash(page)).to_contain_text("Invitation sent to ada@example.com.")
    assert Invitation.objects.filter(tenant=w.org, email="ada@example.com").exists()


def test_change_a_role_with_its_save_button_without_javascript(page: Any) -> None:
    w = workspace()
    sign_in(page, w.owner.email, then=w.url("members/"))
    row = page.locator(f"#member-{w.member.pk}")
    row.get_by_label("Role of mia@example.com").select_option(label="Admin")

    row.get_by_role("button", name="Save").click()

    expect(_flash(page)).to_contain_text("Mia Member is now Admin.")
    assert Membership.objects.get(pk=w.member.pk).role.key == "admin"


def test_sign_out_another_device_without_javascript(page: Any) -> None:
    w = workspace()
    Client().force_login(w.owner)  # signed in on another device too
    sign_in(page, w.owner.email, then="/account/sessions/")
    other = page.locator("#session-list li").filter(has_not_text="This device")

    other.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Sign out device").click()  # the page that asks

    expect(_flash(page)).to_contain_text("Signed out")
    assert Session.objects.filter(user=w.owner, revoked_at__isnull=False).count() == 1


def test_upload_a_file_without_javascript(page: Any, tmp_path: Any) -> None:
    w = workspace()
    sign_in(page, w.owner.email, then=w.url("files/"))
    notes = tmp_path / "notes.txt"
    notes.write_text("Meeting notes.")
    page.locator("input[type=file]").set_input_files(str(notes))

    page.get_by_role("button", name="Upload").click()

    expect(_flash(page)).to_contain_text("Uploaded \u2068notes.txt\u2069.")
    assert Upload.objects.filter(tenant=w.org, original_filename="notes.txt").exists()


def _asked(page: Any) -> Any:
    return page.get_by_test_id("confirm-page")


def _fits(page: Any) -> bool:
    """Nothing is wider than the window (no sideways scrolling on a phone)."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("width", [1280, 360])
def test_deleting_a_file_asks_first_on_a_page_of_its_own(page: Any, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    w = workspace()
    sign_in(page, w.owner.email, then=w.url("files/"))
    row = page.locator("tr").filter(has_text="plan.txt")

    row.get_by_role("button", name="Delete").click()

    asked = _asked(page)
    expect(asked.get_by_role("heading", level=1)).to_have_text("Delete plan.txt?")
    expect(asked).to_contain_text("It is removed for every member of Acme. This cannot be undone.")
    expect(asked.get_by_role("button", name="Delete file")).to_be_visible()
    assert _fits(page)
    asked.get_by_role("link", name="Cancel").click()

    page.wait_for_url(f"**{w.url('files/')}")
    expect(row).to_be_visible()
    assert Upload.objects.filter(pk=w.upload.pk).exists()

    row.get_by_role("button", name="Delete").click()
    _asked(page).get_by_role("button", name="Delete file").click()

    expect(_flash(page)).to_contain_text("plan.txt")
    assert not Upload.objects.filter(pk=w.upload.pk).exists()
    assert page.locator("#confirm-dialog[open]").count() == 0


@pytest.mark.parametrize("width", [1280, 360])
def test_deleting_a_team_asks_first_on_a_page_of_its_own(page: Any, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    w = workspace()
    sign_in(page, w.owner.email, then=w.url("teams/"))

    page.locator(f"#team-{w.team.pk}").get_by_role("button", name="Delete").click()
    expect(_asked(page)).to_contain_text("Its members stay in Acme; its sub-teams move up a level.")
    assert _fits(page)
    _asked(page).get_by_role("link", name="Cancel").click()
    assert Team.objects.filter(pk=w.team.pk).exists()

    page.locator(f"#team-{w.team.pk}").get_by_role("button", name="Delete").click()
    _asked(page).get_by_role("button", name="Delete team").click()

    expect(_flash(page)).to_contain_text("Team “Design” deleted")
    assert not Team.objects.filter(pk=w.team.pk).exists()


def test_making_someone_an_owner_asks_and_another_role_does_not(page: Any) -> None:
    w = workspace()
    sign_in(page, w.owner.email, then=w.url("members/"))
    row = page.locator(f"#member-{w.member.pk}")

    row.get_by_label("Role of mia@example.com").select_option(label="Owner")
    row.get_by_role("button", name="Save").click()
    expect(_asked(page).get_by_role("heading", level=1)).to_have_text("Make Mia Member an owner?")
    _asked(page).get_by_role("button", name="Make owner").click()

    expect(_flash(page)).to_contain_text("Mia Member is now Owner.")
    assert Membership.objects.get(pk=w.member.pk).role.key == "owner"
