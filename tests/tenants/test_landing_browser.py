"""In real browsers: sign-in lands in the organisation used last, wherever it was used."""

from __future__ import annotations

from typing import Any

import pytest

from tenants.models import Tenant
from tests.core.browser import sign_in
from tests.tenants.factories import OrgFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_lands_in_the_last_used_organisation_across_browsers(
    _browser: Any, live_server: Any, owner: Any
) -> None:
    acme = OrgFactory(owner=owner, name="Acme")
    beta = OrgFactory(owner=owner, name="Beta")
    personal = Tenant.objects.get(personal_owner=owner)
    laptop = _browser.new_context(base_url=live_server.url)
    phone = _browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    try:
        at_work = laptop.new_page()
        sign_in(at_work, owner.email)
        assert at_work.url.endswith(f"/t/{beta.slug}/"), "never used: the newest org first"
        at_work.goto(f"/t/{personal.slug}/")
        at_work.goto(f"/t/{acme.slug}/members/")

        on_the_go = phone.new_page()
        sign_in(on_the_go, owner.email)

        assert on_the_go.url.endswith(f"/t/{acme.slug}/")
        assert on_the_go.locator("h1").inner_text() == "Acme"
    finally:
        laptop.close()
        phone.close()
