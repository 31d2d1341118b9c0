"""In a real browser: an owner requires two-factor authentication; a member sees the
deadline on every page of the organisation and is led to set it up."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import UserFactory
from tests.core.browser import dialog
from tests.mfa.test_browser import no_horizontal_overflow, sign_in_with_password
from tests.tenants.factories import OrgFactory, add_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_owner_requires_two_factor_and_a_member_is_told_by_when(
    _browser: Any, live_server: Any
) -> None:
    owner, member = UserFactory(), UserFactory()
    org = OrgFactory(owner=owner, name="Acme")
    add_member(org, member)
    owners = _browser.new_context(base_url=live_server.url)
    members = _browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740})
    try:
        page = owners.new_page()
        sign_in_with_password(page, owner.email)
        page.wait_for_url("**/t/**")
        page.goto(f"/t/{org.slug}/settings/")
        section = page.locator("#two-factor-policy")
        section.get_by_label("Days members have to set it up").fill("7")
        section.get_by_role("button", name="Require two-factor authentication").click()
        # Asked first; the owner, without it themselves, is told they would be shut out.
        asked = dialog(page)
        expect(asked).to_contain_text("Require two-factor authentication in Acme?")
        expect(asked).to_contain_text("You have not set it up yourself")
        asked.get_by_role("button", name="Require it").click()
        page.get_by_text("Two-factor authentication is required; members have 7 days").wait_for()
        assert "Required" in page.locator("#two-factor-policy").inner_text()
        page.goto(f"/t/{org.slug}/members/")
        assert page.get_by_text("2FA missing").count() == 2

        phone = members.new_page()
        sign_in_with_password(phone, member.email)
        phone.wait_for_url("**/t/**")
        phone.goto(f"/t/{org.slug}/")
        banner = phone.get_by_test_id("two-factor-deadline")
        assert "Acme requires two-factor authentication" in banner.inner_text()
        assert no_horizontal_overflow(phone)
        banner.get_by_role("link", name="Set up now").click()
        phone.wait_for_url("**/account/security/")
    finally:
        owners.close()
        members.close()


def test_an_impossible_grace_period_is_said_beside_its_field_with_what_was_typed(
    page: Any,
) -> None:
    """It was a banner at the top of the page, 1,500 px above the field, which came back
    reset to 7."""
    owner = UserFactory()
    org = OrgFactory(owner=owner, name="Acme")
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in_with_password(page, owner.email)
    page.wait_for_url("**/t/**")
    page.goto(f"/t/{org.slug}/settings/")
    section = page.locator("#two-factor-policy")
    section.get_by_label("Days members have to set it up").fill("91")
    # Sent without the question: only the refusal can come of it.
    with page.expect_navigation():
        section.get_by_role("button", name="Require two-factor authentication").click()
    page.wait_for_function("document.readyState === 'complete'")
    expect(dialog(page)).to_be_hidden()

    field = page.locator("#two-factor-policy input[name=grace_days]")
    assert field.input_value() == "91"
    assert field.get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.name") == "grace_days"
    assert "Give members between 0 and 90 days." in section.inner_text()
    org.refresh_from_db()
    assert org.two_factor_required_at is None


def test_an_owner_without_two_factor_is_led_to_set_it_up_and_back(page: Any) -> None:
    """The question before requiring it named the security page without a way there."""
    owner = UserFactory()
    org = OrgFactory(owner=owner, name="Acme")
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in_with_password(page, owner.email)
    page.wait_for_url("**/t/**")
    page.goto(f"/t/{org.slug}/settings/")
    note = page.get_by_test_id("you-lack-two-factor")
    expect(note).to_contain_text("You have not set it up yourself.")
    assert no_horizontal_overflow(page)

    note.get_by_role("link", name="Set it up on your security page").click()

    page.wait_for_url("**/account/security/**")
    # Set-up started here comes back to the organisation's settings when done.
    set_up = page.get_by_role("link", name="Set up", exact=True)
    assert f"next=/t/{org.slug}/settings/" in (set_up.get_attribute("href") or "").replace(
        "%2F", "/"
    )
