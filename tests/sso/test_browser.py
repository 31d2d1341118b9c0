"""Email-first sign-in in Chromium, through the organisation's IdP on loopback."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import User
from sso.models import Connection
from tenants.models import Membership
from tests.sso.idp import LocalIdP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 360])
def test_email_first_sign_in_goes_through_the_idp_into_the_organisation(
    _browser: Any, live_server: Any, acme: Any, acme_sso: Connection, idp: LocalIdP, width: int
) -> None:
    idp.user = {"sub": "okta-7", "email": "nadia@example.com", "name": "Nadia New-Hire"}
    context = _browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}
    )
    try:
        page = context.new_page()
        page.goto("/auth/sign-in/")
        page.get_by_role("link", name="Continue with SSO").click()
        page.get_by_label("Work email").fill("Nadia@Example.com")
        page.get_by_role("button", name="Continue", exact=True).click()

        page.wait_for_url(f"**/t/{acme.slug}/")
        assert "Acme" in page.title() or "Acme" in page.content()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()

    user = User.objects.get(email="nadia@example.com")
    assert user.name == "Nadia New-Hire"
    assert Membership.objects.get(tenant=acme, user=user).role.key == "member"


def test_an_address_without_sso_is_told_on_the_page(
    _browser: Any, live_server: Any, acme_sso: Connection
) -> None:
    context = _browser.new_context(base_url=live_server.url)
    try:
        page = context.new_page()
        page.goto("/auth/sso/")
        page.get_by_label("Work email").fill("someone@elsewhere.example")
        page.get_by_role("button", name="Continue", exact=True).click()
        error = page.get_by_text("Single sign-on is not set up for elsewhere.example")
        error.wait_for()
        assert error.is_visible()
    finally:
        context.close()
