"""In a real browser, at desktop and phone width: in an organisation with more members
than a list can show, the owner finds the new owner by typing, is told in place when
the address names nobody (what was typed kept), and hands the organisation over."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tenants import forms
from tenants.models import Membership
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.config.pagecheck import PageWatch
from tests.core.browser import dialog, sign_in
from tests.mfa.helpers import age_sign_in
from tests.tenants.factories import OrgFactory, add_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def suggestions(response: Any) -> bool:
    return "/settings/transfer/candidates/" in response.url


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_the_owner_finds_the_new_owner_by_typing(
    page: Any, owner: Any, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    monkeypatch.setattr(forms, "OWNER_CANDIDATES_LISTED", 5)
    acme = OrgFactory(owner=owner, name="Acme")
    for i in range(12):
        add_member(acme, UserFactory(email=f"person-{i:02}@acme.example", name=f"Person {i:02}"))
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, owner.email)

    assert watch.check(f"/t/{acme.slug}/settings/") == []
    assert watch.axe() == []
    field = page.get_by_label("New owner")
    expect(field).to_have_attribute("list", "owner-candidates")
    expect(page.locator("select[name=membership]")).to_have_count(0)
    field.press_sequentially("person 1", delay=30)
    options = page.locator("#owner-candidates option")
    expect(options).to_have_count(2)  # Person 10 and 11, fetched for what was typed
    expect(options.first).to_have_attribute("value", "person-10@acme.example")

    transfer = page.locator("form[action$='/transfer/']")
    with page.expect_response(suggestions):  # as the person reads the suggestions
        field.fill("person-99@acme.example")
    transfer.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    transfer.get_by_role("button", name="Transfer ownership").click()
    dialog(page).get_by_role("button", name="Transfer ownership").click()
    page.wait_for_load_state()
    expect(
        page.get_by_text("Nobody in Acme has the address person-99@acme.example.")
    ).to_be_visible()
    field = page.get_by_label("New owner")
    expect(field).to_have_value("person-99@acme.example")
    expect(field).to_have_attribute("aria-invalid", "true")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # Chromium logs the refused form's 400 document as an error: expected, nothing else.
    assert [line for line, _url in watch.console if "status of 400" not in line] == []
    watch.console.clear()

    with page.expect_response(suggestions):
        field.fill("person-10@acme.example")
    transfer = page.locator("form[action$='/transfer/']")
    transfer.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    transfer.get_by_role("button", name="Transfer ownership").click()
    dialog(page).get_by_role("button", name="Transfer ownership").click()
    expect(
        page.get_by_text("person-10@acme.example is now the owner. You are an admin.")
    ).to_be_visible()
    assert Membership.objects.get(tenant=acme, user__email="person-10@acme.example").role.is_owner
    assert watch.console == []


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_after_ten_minutes_the_transfer_asks_for_the_password_once(
    page: Any, owner: Any, width: int
) -> None:
    """The walk: the password typed in the transfer form, then "Confirm it's you"
    asked for it again before anything happened."""
    acme = OrgFactory(owner=owner, name="Acme")
    admin = add_member(acme, UserFactory(name="Ada Admin"), role_key="admin")
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, owner.email)
    age_sign_in(owner)

    page.goto(f"/t/{acme.slug}/settings/")
    transfer = page.locator("form[action$='/transfer/']")
    transfer.get_by_label("New owner").select_option(str(admin.pk))
    transfer.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    transfer.get_by_role("button", name="Transfer ownership").click()
    dialog(page).get_by_role("button", name="Transfer ownership").click()

    expect(
        page.get_by_text(f"{admin.user.email} is now the owner. You are an admin.")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Confirm it's you")).to_have_count(0)
    assert Membership.objects.get(pk=admin.pk).role.key == "owner"
