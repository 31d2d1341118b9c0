"""In a real browser: what the next person at a shared computer can find after sign-out."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import UserFactory
from tests.core.browser import sign_in
from tests.tenants.factories import OrgFactory, add_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_back_after_sign_out_shows_no_signed_in_page_from_the_cache(
    page: Any, browser_context: Any
) -> None:
    owner = UserFactory()
    org = OrgFactory(owner=owner, name="Shared Computer Inc")
    add_member(org, UserFactory(email="colleague-secret@example.com"))
    sign_in(page, owner.email)
    page.goto(f"/t/{org.slug}/members/")
    assert "colleague-secret@example.com" in page.content()

    page.locator("header nav summary").click()  # the user menu
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have been signed out.")).to_be_visible()
    assert not [c for c in browser_context.cookies() if "session" in c["name"]]
    page.go_back()  # the sign-out redirect
    page.go_back()  # the members page

    assert "colleague-secret@example.com" not in page.content()
    assert "/auth/sign-in/" in page.url
