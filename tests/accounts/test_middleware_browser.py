"""In a real browser: a session revoked from another device, then an htmx action."""

from __future__ import annotations

from typing import Any

import pytest

from sessions_app.models import Session
from sessions_app.services import session_revoke_all_for_user
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.tenants.factories import OrgFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_htmx_action_after_revocation_lands_on_the_sign_in_page_not_inside_the_card(
    page: Any,
) -> None:
    owner = UserFactory(email="owner@example.com")
    org = OrgFactory(owner=owner, name="Compilers Ltd")
    page.goto("/auth/sign-in/")
    page.fill("input[name=email]", owner.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url("**/t/**")
    page.goto(f"/t/{org.slug}/members/")
    # Signed out everywhere from another device while this page stays open.
    session_revoke_all_for_user(user=owner, reason=Session.RevokedReason.SIGNED_OUT)

    form = page.get_by_test_id("invite-form")
    form.locator("input[name=email]").fill("grace@example.com")
    form.get_by_role("button", name="Send invitation").click()

    page.wait_for_url(f"**/auth/sign-in/?next=%2Ft%2F{org.slug}%2Fmembers%2F")
    assert page.locator("header").count() == 1  # one page, not a page inside a card
    assert page.locator("input[name=password]").count() == 1
