"""The certificate warning on the SSO page, in a real browser: readable at 1280 and
360 px, in German and Arabic, without overflow, console or axe errors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine

from tests.config.pagecheck import PageWatch
from tests.core.browser import sign_in
from tests.sso.saml_idp import LocalSamlIdP
from tests.sso.test_saml_certificate import certificate_end, saml_connect

pytestmark = [pytest.mark.browser, pytest.mark.xmlsec1, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("de", "Das Signaturzertifikat des Identitätsanbieters läuft bald ab."),
        ("ar", "تنتهي صلاحية شهادة التوقيع لدى موفّر الهوية قريبًا."),
    ],
)
@pytest.mark.parametrize("width", [1280, 360])
def test_an_owner_sees_the_certificate_ending_on_the_sso_page(
    _browser: Any,
    live_server: Any,
    acme: Any,
    owner: Any,
    width: int,
    language: str,
    title: str,
) -> None:
    idp = LocalSamlIdP()
    saml_connect(acme, owner, idp)
    type(owner).objects.filter(pk=owner.pk).update(language=language)
    end = certificate_end(idp)
    context = _browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}
    )
    context.set_default_timeout(10_000)
    try:
        with time_machine.travel(end - timedelta(days=10)):  # the server's clock, ticking
            page = context.new_page()
            watch = PageWatch.attach(page)
            sign_in(page, owner.email)
            url = f"/t/{acme.slug}/settings/sso/"
            problems = watch.check(url)
            warning = page.get_by_test_id("saml-certificate-ending")
            assert warning.is_visible()
            assert title in warning.inner_text()
            assert page.get_by_test_id("saml-certificate-until").is_visible()
    finally:
        context.close()
    assert problems == []
