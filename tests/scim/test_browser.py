"""In a real browser on a 360 px phone: an owner turns on directory sync, copies the
token once and replaces it; a member deactivated by the IdP is out on their next click."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from scim.models import Directory
from scim.selectors import directory_for_token
from tests.accounts.factories import UserFactory
from tests.mfa.test_browser import no_horizontal_overflow, sign_in_with_password
from tests.scim.conftest import PATCH_SCHEMA, new_user, verified_domain
from tests.tenants.factories import OrgFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def test_an_owner_turns_on_directory_sync_and_a_deactivated_member_is_out_at_once(
    _browser: Any, live_server: Any, settings: Any
) -> None:
    settings.SITE_URL = live_server.url
    owner, member = UserFactory(), UserFactory(email="ada@corp.example")
    org = OrgFactory(owner=owner, name="Acme")
    verified_domain(org, "corp.example")  # so the IdP may link Ada's existing account
    owners = _browser.new_context(base_url=live_server.url, viewport=PHONE)
    members = _browser.new_context(base_url=live_server.url, viewport=PHONE)
    try:
        page = owners.new_page()
        sign_in_with_password(page, owner.email)
        page.wait_for_url("**/t/**")
        page.goto(f"/t/{org.slug}/settings/")
        page.get_by_role("link", name="Set up directory sync").click()
        page.get_by_role("button", name="Create token").click()
        first = page.get_by_test_id("scim-token").inner_text()
        assert f"/scim/v2/{org.slug}" in page.locator("#scim-base-url").inner_text()
        assert no_horizontal_overflow(page)

        page.get_by_role("button", name="Replace token").click()
        page.locator("#confirm-dialog-accept").click()
        # The old page shows a token too: wait for the answer's, not for any.
        expect(page.get_by_test_id("scim-token")).not_to_have_text(first)
        token = page.get_by_test_id("scim-token").inner_text()
        assert directory_for_token(org_slug=org.slug, raw_token=first) is None
        page.goto(f"/t/{org.slug}/settings/scim/")
        assert page.get_by_test_id("scim-token").count() == 0  # shown once
        assert Directory.objects.get(tenant=org).token_hint == token[-4:]

        idp = requests.Session()
        idp.headers["Authorization"] = f"Bearer {token}"
        base = f"{live_server.url}/scim/v2/{org.slug}"
        created = idp.post(f"{base}/Users", json=new_user(member.email), timeout=10).json()
        phone = members.new_page()
        sign_in_with_password(phone, member.email)
        phone.wait_for_url("**/t/**")
        phone.goto(f"/t/{org.slug}/")
        assert phone.get_by_role("heading", name="Acme").count() >= 1

        deactivate = {
            "schemas": [PATCH_SCHEMA],
            "Operations": [{"op": "replace", "path": "active", "value": False}],
        }
        assert idp.patch(f"{base}/Users/{created['id']}", json=deactivate, timeout=10).ok
        phone.goto(f"/t/{org.slug}/members/")
        assert "/auth/sign-in/" in phone.url
    finally:
        owners.close()
        members.close()
