"""A sign-in started at the SAML IdP, in Chromium: another site's form posts the IdP's
signed Response into a signed-in browser, which lands on our "Continue to Acme as …?"
page (finished at a desktop and a phone width) and is signed in as the IdP said only
once its person presses Continue."""

from __future__ import annotations

import base64
import html
from typing import Any

import pytest

from sso.models import Connection
from tests.config.pagecheck import PageWatch
from tests.core.browser import sign_in
from tests.sso.saml_idp import LocalSamlIdP
from tests.sso.test_saml import acs_url

pytestmark = [pytest.mark.browser, pytest.mark.xmlsec1, pytest.mark.django_db(transaction=True)]

EVE = "eve.from.the.identity.provider@example.com"  # long, as addresses are


@pytest.mark.parametrize("width", [1280, 360])
def test_an_idp_initiated_sign_in_asks_first_and_the_page_meets_the_quality_bar(
    _browser: Any,
    live_server: Any,
    acme: Any,
    owner: Any,
    acme_saml: Connection,
    saml_idp: LocalSamlIdP,
    width: int,
) -> None:
    acme_saml.saml_allow_idp_initiated = True
    acme_saml.save(update_fields=["saml_allow_idp_initiated"])
    acs = acs_url(live_server, acme_saml)
    saml_response = base64.b64encode(
        saml_idp.response_xml(email=EVE, acs_url=acs, in_response_to=None).encode()
    ).decode()
    context = _browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}
    )
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        sign_in(page, owner.email)
        # Another site's page: its form posts the Response (a click stands for its script).
        page.goto("about:blank")
        page.set_content(
            f'<form method="post" action="{html.escape(acs)}">'
            f'<input type="hidden" name="SAMLResponse" value="{saml_response}">'
            '<button type="submit">Win a prize</button></form>'
        )
        page.get_by_role("button", name="Win a prize").click()
        page.wait_for_url("**/continue/")
        continue_url = page.url

        watch = PageWatch.attach(page)
        problems = watch.check(continue_url)  # the page asks again, it is kept until pressed
        heading = page.get_by_role("heading", level=1).inner_text()
        warning = page.get_by_test_id("signed-in-as").inner_text()
        page.get_by_role("button", name="Continue", exact=True).click()
        page.wait_for_url(f"**/t/{acme.slug}/")
        page.goto("/account/")
        account = page.content()
    finally:
        context.close()

    assert not problems
    assert heading == f"Continue to Acme as {EVE}?"
    assert warning == f"You are signed in as {owner.email}; continuing signs you out of it."
    assert EVE in account and owner.email not in account
