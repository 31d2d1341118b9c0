"""In a real browser at phone width (360 px): an owner creates an API key, copies it with
the page's Copy button, and what was copied works against the API; a webhook's signing
secret is added and copied the same way."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import requests
from django.utils import timezone
from playwright.sync_api import expect

from tests.accounts.factories import UserFactory
from tests.api.conftest import make_key
from tests.config.pagecheck import PageWatch
from tests.mfa.test_browser import no_horizontal_overflow, sign_in_with_password
from tests.tenants.factories import OrgFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_owner_creates_a_key_on_a_phone_and_uses_it(
    _browser: Any, live_server: Any, settings: Any
) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    owner = UserFactory()
    org = OrgFactory(owner=owner, name="Acme")
    context = _browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        sign_in_with_password(page, owner.email)
        page.wait_for_url("**/t/**")
        page.goto(f"/t/{org.slug}/settings/")
        page.get_by_test_id("settings-nav").get_by_role("link", name="API keys").click()
        page.wait_for_url("**/settings/api-keys/")
        assert no_horizontal_overflow(page)
        page.get_by_label("Name").fill("Zapier")
        page.get_by_label("View the audit log").check()
        page.get_by_role("button", name="Create key").click()
        # Shown once: the page opens on it, not on the header and tabs above it.
        expect(page.get_by_test_id("new-key-value")).to_be_focused()
        expect(page.get_by_test_id("new-key-value")).to_be_in_viewport()
        expect(page.get_by_test_id("new-key-value")).to_have_accessible_description(
            re.compile("^Copy it now: it is shown only this once.")
        )
        page.get_by_test_id("new-key").get_by_role("button", name="Copy").click()
        expect(page.get_by_test_id("new-key").get_by_role("button", name="Copied")).to_be_visible()
        key = page.evaluate("navigator.clipboard.readText()")  # the key as pasted elsewhere
        assert key == page.get_by_test_id("new-key-value").input_value()
        assert key.startswith("pt_live_")
        assert no_horizontal_overflow(page)
        answer = requests.get(
            f"{live_server.url}/api/v1/audit-events",
            headers={"Authorization": f"Bearer {key}"},
            timeout=10,
        )
        assert answer.status_code == 200
        page.reload()
        assert key not in page.content()

        page.goto(f"/t/{org.slug}/settings/webhooks/")
        page.get_by_label("URL").fill("http://127.0.0.1:9/hooks")
        page.get_by_label("team.created: A team was created").check()
        page.get_by_role("button", name="Add endpoint").click()
        expect(page.get_by_test_id("new-secret-value")).to_be_focused()
        expect(page.get_by_test_id("new-secret-value")).to_be_in_viewport()
        expect(page.get_by_test_id("new-secret-value")).to_have_accessible_description(
            re.compile("^Copy it into the receiving system now")
        )
        page.get_by_test_id("new-secret").get_by_role("button", name="Copy").click()
        secret = page.get_by_test_id("new-secret-value").input_value()
        assert secret.startswith("whsec_")
        expect(
            page.get_by_test_id("new-secret").get_by_role("button", name="Copied")
        ).to_be_visible()
        assert page.evaluate("navigator.clipboard.readText()") == secret
        assert no_horizontal_overflow(page)
        page.get_by_role("link", name="http://127.0.0.1:9/hooks").click()
        page.get_by_test_id("delivery-log").wait_for()
        assert no_horizontal_overflow(page)
    finally:
        context.close()


def test_the_reference_shows_code_as_code_on_a_phone(_browser: Any, live_server: Any) -> None:
    context = _browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        page.goto("/api/v1/docs/")
        intro = page.locator("main p", has_text="Authenticate with").first
        assert "`" not in intro.inner_text()  # the schema's markdown is not shown raw
        assert "Authorization: Bearer pt_live_" in intro.locator("code").first.inner_text()
        assert page.locator("main").get_by_text("`").count() == 0
        assert no_horizontal_overflow(page)
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 360])
def test_a_key_that_expires_within_a_week_is_marked_in_the_owners_language(
    _browser: Any, live_server: Any, width: int
) -> None:
    owner = UserFactory(language="de")
    org = OrgFactory(owner=owner, name="Acme")
    make_key(org, owner, name="Deploy", expires_at=timezone.now() + timedelta(days=5))
    make_key(org, owner, name="Backup", expires_at=timezone.now() + timedelta(days=60))
    context = _browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}
    )
    try:
        page = context.new_page()
        watch = PageWatch.attach(page)
        sign_in_with_password(page, owner.email)
        page.wait_for_url("**/t/**")
        problems = watch.check(f"/t/{org.slug}/settings/api-keys/")
        soon = page.get_by_test_id("key-expires-soon")
        assert soon.count() == 1 and soon.is_visible()
        assert soon.inner_text() == "Läuft bald ab"
        deploy = page.locator("tr", has_text="Deploy")
        assert deploy.get_by_test_id("key-expires-soon").count() == 1
    finally:
        context.close()
    assert problems == []
