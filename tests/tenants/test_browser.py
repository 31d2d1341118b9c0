"""A person signs up, creates an org, adds a team and switches tenants in the header."""

from __future__ import annotations

from typing import Any

import pytest

from tenants.models import Team, Tenant
from tests.accounts.mailtools import sign_up_by_email


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
