"""In a real browser: permissions read as names under headings, and a personal workspace
offers an organisation instead of members, teams and roles."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from core.permissions import ALL_PERMISSIONS, PERMISSION_GROUPS
from tenants.models import Role, Tenant
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.tenants.factories import OrgFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Any, email: str) -> None:
    page.goto("/auth/sign-in/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/t/**")


def test_a_role_is_made_by_ticking_named_permissions_under_headings(page: Any) -> None:
    owner = UserFactory()
    org = OrgFactory(owner=owner, name="Acme")
    _sign_in(page, owner.email)
    page.goto(f"/t/{org.slug}/roles/")

    form = page.get_by_test_id("permission-groups")
    expect(form.locator("fieldset > legend")).to_have_text(list(PERMISSION_GROUPS))
    box = form.get_by_role("group", name="Billing").get_by_role("checkbox", name="Manage billing")
    expect(box).to_have_accessible_name("Manage billing")
    expect(box).to_have_accessible_description(
        "Choose the plan, update payment details and billing contacts, see invoices."
    )
    box.check()
    page.get_by_role("textbox", name="Name").fill("Finance")
    page.get_by_role("button", name="Create role").click()

    row = page.get_by_test_id("roles-table").get_by_role("row").filter(has_text="Finance")
    expect(row).to_contain_text("Manage billing")
    assert Role.objects.get(tenant=org, name="Finance").permissions == ["billing.manage"]
    shown = page.locator("main").inner_text()
    assert not [code for code in ALL_PERMISSIONS if code in shown]


def test_a_personal_workspace_has_no_members_tab_and_offers_an_organisation(page: Any) -> None:
    user = UserFactory()
    personal = Tenant.objects.get(personal_owner=user)
    _sign_in(page, user.email)
    page.goto(f"/t/{personal.slug}/")

    tabs = page.get_by_role("navigation", name="Workspace")
    expect(tabs.get_by_role("link", name="Files")).to_be_visible()
    for absent in ("Members", "Teams", "Roles"):
        expect(tabs.get_by_role("link", name=absent, exact=True)).to_have_count(0)

    page.goto(f"/t/{personal.slug}/members/")  # an old link
    page.wait_for_url(f"**/t/{personal.slug}/")
    expect(page.get_by_text("it has no members, teams or roles")).to_be_visible()

    page.get_by_role("navigation", name="Workspace").get_by_role("link", name="Files").click()
    page.get_by_role("link", name="Create an organisation to invite people").click()
    page.wait_for_url("**/account/tenants/new/")
