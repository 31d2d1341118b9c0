"""What an owner pastes into their identity provider or DNS console has a Copy button
beside it, as the SCIM and API key secrets do: the redirect URI, the SAML entity ID and
ACS URL, the TXT record's name and value. Copied exactly (no spaces or line breaks
picked up by a selection), at desktop and phone width, the pages still finished."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from playwright.sync_api import expect

from sso.services_domains import domain_add
from tests.config.pagecheck import PageWatch
from tests.core.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@contextmanager
def clipboard_page(browser: Any, live_server: Any, width: int) -> Iterator[Any]:
    """A page whose site may write and read the clipboard, closed after."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.mark.parametrize("width", [360, 1280])
def test_each_value_to_paste_elsewhere_is_copied_exactly(
    _browser: Any, live_server: Any, acme: Any, owner: Any, width: int
) -> None:
    domain = domain_add(tenant=acme, domain="acme-example.com", acting_user=owner)
    with clipboard_page(_browser, live_server, width) as page:
        watch = PageWatch.attach(page)
        sign_in(page, owner.email)
        copied: dict[str, str] = {}

        assert watch.check(f"/t/{acme.slug}/settings/sso/") == []
        for name in ("Copy the redirect URI", "Copy the entity ID", "Copy the ACS URL"):
            page.get_by_role("button", name=name).click()
            copied[name] = page.evaluate("navigator.clipboard.readText()")
        redirect_uri = page.get_by_test_id("redirect-uri").inner_text()
        entity_id = page.get_by_test_id("saml-entity-id").inner_text()
        acs_url = page.get_by_test_id("saml-acs-url").inner_text()

        assert watch.check(f"/t/{acme.slug}/settings/domains/") == []
        for name in ("Copy the record name", "Copy the record value"):
            page.get_by_role("button", name=name).click()
            copied[name] = page.evaluate("navigator.clipboard.readText()")

    assert copied == {
        "Copy the redirect URI": redirect_uri,
        "Copy the entity ID": entity_id,
        "Copy the ACS URL": acs_url,
        "Copy the record name": domain.record_name,
        "Copy the record value": domain.token,
    }
    assert redirect_uri.endswith("/auth/sso/callback/")


@pytest.mark.parametrize("width", [360, 1280])
def test_a_copy_is_announced_and_a_refused_one_says_what_to_do(
    _browser: Any, live_server: Any, acme: Any, owner: Any, width: int
) -> None:
    """The button is named "Copy the record name" (aria-label), so its "Copied" was
    never read out; a copy the browser refused showed nothing at all."""
    domain_add(tenant=acme, domain="acme-example.com", acting_user=owner)
    with clipboard_page(_browser, live_server, width) as page:
        watch = PageWatch.attach(page)
        sign_in(page, owner.email)
        assert watch.check(f"/t/{acme.slug}/settings/domains/") == []
        status = page.get_by_test_id("copy-status")

        page.get_by_role("button", name="Copy the record name").click()
        expect(status).to_have_text("Copied")
        expect(status).to_have_attribute("role", "status")

        page.evaluate(
            "() => { navigator.clipboard.writeText = () => Promise.reject(new Error('no')); }"
        )
        page.get_by_role("button", name="Copy the record value").click()
        alert = page.locator("#toasts-alert").get_by_test_id("toast")
        expect(alert.locator(".toast-text")).to_have_text(
            "Could not copy. Select the text and copy it yourself."
        )
