"""A person signs up, creates an org, adds a team and switches tenants in the header."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tenants.models import Team, Tenant
from tests.accounts.factories import UserFactory
from tests.accounts.mailtools import sign_up_by_email
from tests.core.browser import sign_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_sign_up_create_org_add_team_and_switch_tenants(
    page: Any, transactional_db: None, mailoutbox: list[Any]
) -> None:
    # Signing up through the emailed link verifies the address, which creating an org needs.
    sign_up_by_email(
        page,
        mailoutbox,
        name="Grace Hopper",
        email="grace@example.com",
        password="a-very-long-password-42",
    )
    personal = Tenant.objects.get(personal_owner__email="grace@example.com")
    assert page.locator("h1").inner_text() == personal.name

    page.goto("/account/tenants/new/")
    page.fill("input[name=name]", "Compilers Ltd")
    page.click("text=Create organisation")
    page.wait_for_url("**/t/compilers-ltd/")
    assert page.get_by_test_id("your-role").inner_text() == "Owner"

    page.click("nav >> text=Teams")
    page.fill("input[name=name]", "Navy")
    page.click("text=Create team")
    page.wait_for_selector("#team-list, [data-testid=team-list]")
    assert "Navy" in page.get_by_test_id("team-list").inner_text()
    assert Team.objects.filter(tenant__slug="compilers-ltd", name="Navy").exists()

    switcher = page.get_by_test_id("tenant-switcher")
    switcher.locator("summary").click()
    switcher.get_by_role("link", name=personal.name).click()
    page.wait_for_url(f"**/t/{personal.slug}/")
    assert page.locator("h1").inner_text() == personal.name
    assert personal.name in page.get_by_test_id("tenant-switcher").locator("summary").inner_text()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 360])
def test_back_to_the_new_organisation_form_finds_it_empty_and_makes_no_second_one(
    page: Any, width: int
) -> None:
    """The browser's Back brought the form back filled in, and "Create organisation"
    again made a second "Newco Labs", two identical rows in the switcher. Back now
    shows an empty form (a browser that keeps hidden fields too is caught by the
    form's one-time field, tests/core/test_sent_once.py)."""
    owner = UserFactory()
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, owner.email)
    page.goto("/account/tenants/new/")
    name = page.get_by_label("Name", exact=True)
    name.fill("Newco Labs")
    page.get_by_role("button", name="Create organisation").click()
    page.wait_for_url("**/t/newco-labs/")

    page.go_back()
    page.wait_for_url("**/account/tenants/new/")
    expect(name).to_have_value("")
    page.get_by_role("button", name="Create organisation").click()

    expect(page.get_by_text("Give the organisation a name.")).to_be_visible()
    assert Tenant.objects.filter(name="Newco Labs").count() == 1
