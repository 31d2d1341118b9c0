"""On an Arabic page, what an owner copies into another system reads left to right: the
redirect URI, a DNS record's name, the SCIM base URL, an API key's prefix, and the
fields they type identifiers into. A walk found `/http://…/callback` and
`pacetrack-challenge.example.com_` (the bidi algorithm moving the punctuation), which
an admin typing them into Okta or a DNS console would get wrong."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import User
from api.services import api_key_create
from sso.services_domains import domain_add
from tests.core.browser import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

DIRECTION = "element => getComputedStyle(element).direction"


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 360])
def test_addresses_records_and_keys_read_left_to_right_on_an_arabic_page(
    page: Any, acme: Any, owner: Any, width: int
) -> None:
    User.objects.filter(pk=owner.pk).update(language="ar")
    domain_add(tenant=acme, domain="acme-example.com", acting_user=owner)
    api_key_create(tenant=acme, name="Deploy", scopes=[], expires_at=None, acting_user=owner)
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, owner.email)  # the person's own language (Arabic) follows

    page.goto(f"/t/{acme.slug}/settings/sso/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.get_by_test_id("redirect-uri").evaluate(DIRECTION) == "ltr"
    for field in ("issuer", "client_id", "client_secret", "scopes"):
        assert page.locator(f"input[name={field}]").evaluate(DIRECTION) == "ltr", field
    assert page.locator("textarea[name=idp_metadata]").evaluate(DIRECTION) == "ltr"
    # Words stay right to left.
    assert page.locator("h1").evaluate(DIRECTION) == "rtl"

    page.goto(f"/t/{acme.slug}/settings/domains/")
    assert page.get_by_test_id("record-name").evaluate(DIRECTION) == "ltr"
    assert page.get_by_test_id("record-value").evaluate(DIRECTION) == "ltr"
    assert page.locator("input[name=domain]").evaluate(DIRECTION) == "ltr"

    page.goto(f"/t/{acme.slug}/settings/scim/")
    assert page.locator("#scim-base-url").evaluate(DIRECTION) == "ltr"

    page.goto(f"/t/{acme.slug}/settings/api-keys/")
    prefix = page.locator("span.font-mono", has_text="pt_live_").first
    assert prefix.evaluate(DIRECTION) == "ltr"

    # Every workspace page's header: a walk found "t/acme-…/" with its slashes moved.
    path = page.get_by_test_id("workspace-path")
    assert path.evaluate(DIRECTION) == "ltr"
    assert path.inner_text() == f"/t/{acme.slug}/"


def test_paths_and_menu_names_in_arabic_help_read_left_to_right(
    owner_client: Any, acme: Any, owner: Any
) -> None:
    """Inside Arabic sentences the path showed as "well-known/openid-configuration./" and
    the quoted menu names an owner looks for in Okta ran into each other: each Latin run
    of the Arabic text is isolated left to right."""
    User.objects.filter(pk=owner.pk).update(language="ar")
    html = owner_client.get(f"/t/{acme.slug}/settings/sso/").content.decode()
    for run in ("/.well-known/openid-configuration", "Federation Metadata XML", "Okta"):
        assert f"\u2066{run}\u2069" in html, run
