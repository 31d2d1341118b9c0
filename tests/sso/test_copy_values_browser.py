"""What an owner pastes into their identity provider or DNS console has a Copy button
beside it, as the SCIM and API key secrets do: the redirect URI, the SAML entity ID and
ACS URL, the TXT record's name and value. Copied exactly (no spaces or line breaks
picked up by a selection), at desktop and phone width, the pages still finished."""

from __future__ import annotations

from typing import Any

import pytest

from sso.services_domains import domain_add
from tests.config.pagecheck import PageWatch
from tests.core.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [360, 1280])
def test_each_value_to_paste_elsewhere_is_copied_exactly(
    _browser: Any, live_server: Any, acme: Any, owner: Any, width: int
) -> None:
    domain = domain_add(tenant=acme, domain="acme-example.com", acting_user=owner)
    context = _browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
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
    finally:
        context.close()

    assert copied == {
        "Copy the redirect URI": redirect_uri,
        "Copy the entity ID": entity_id,
        "Copy the ACS URL": acs_url,
        "Copy the record name": domain.record_name,
        "Copy the record value": domain.token,
    }
    assert redirect_uri.endswith("/auth/sso/callback/")
