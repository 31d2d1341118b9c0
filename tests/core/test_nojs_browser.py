"""In a browser with JavaScript turned off, the main paths still work as plain forms:
sign in, invite, change a role (its "Save" button is there), sign out another device,
upload a file, and destructive actions (which submit without a dialog)."""

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

    other.get_by_role("button", name="Sign out").click()  # no dialog: the form submits

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


def test_destructive_actions_submit_without_javascript(page: Any) -> None:
    w = workspace()
    sign_in(page, w.owner.email, then=w.url("teams/"))

    page.locator(f"#team-{w.team.pk}").get_by_role("button", name="Delete").click()

    expect(_flash(page)).to_contain_text("Team “Design” deleted")
    assert not Team.objects.filter(pk=w.team.pk).exists()
    assert page.locator("#confirm-dialog[open]").count() == 0
