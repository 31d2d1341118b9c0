"""In a real browser, at desktop and phone width, in English and Arabic (right to
left): the webhooks reference reads without horizontal scrolling, its code samples
scroll inside their own boxes, axe finds nothing, and the webhooks page leads to it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import UserFactory
from tests.config.pagecheck import PageWatch
from tests.core.browser import sign_in
from tests.tenants.factories import OrgFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("width", "language"),
    [(1280, "en"), (360, "en"), (360, "ar")],
    ids=["desktop", "phone", "phone-ar"],
)
def test_the_webhooks_page_leads_to_a_reference_that_reads_at_any_width(
    page: Any, width: int, language: str
) -> None:
    owner = UserFactory(language=language)
    acme = OrgFactory(owner=owner, name="Acme")
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, owner.email, then=f"/t/{acme.slug}/settings/webhooks/")

    name = "the webhooks reference" if language == "en" else "مرجع خطافات الويب"
    page.get_by_role("link", name=name).click()
    page.wait_for_url("**/webhooks/reference/")

    assert watch.check(page.url) == []
    expect(page.locator("#file\\.uploaded")).to_be_visible()
