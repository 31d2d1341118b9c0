"""The "view as" banner in Chromium, at desktop and phone width: on every page, saying
who is viewing as whom, fitting the window, and its Stop button ends the view."""

from __future__ import annotations

from typing import Any

import pytest

from support.models import Impersonation
from tests.accounts.factories import staff_with
from tests.config.pagecheck import PageWatch
from tests.core.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 360])
def test_the_banner_names_both_people_on_every_page_and_stop_ends_the_view(
    page: Any, owner: Any, acme: Any, settings: Any, width: int
) -> None:
    settings.MFA_ADMIN_REQUIRED = False
    staff = staff_with(
        "support.impersonate",
        "accounts.view_user",
        email="samantha.support-desk@pacetrack-operations.example.com",
    )
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, staff.email, then=f"/admin/accounts/user/{owner.pk}/view-as/")
    page.fill("textarea[name=reason]", "Ticket 4521: cannot find the billing page")
    page.get_by_role("button", name=f"View as {owner.email}").click()
    page.wait_for_url(f"**/t/{acme.slug}/**")

    banner = page.get_by_test_id("impersonation-banner")
    for url in (f"/t/{acme.slug}/", f"/t/{acme.slug}/members/", "/account/"):
        assert watch.check(url) == [], url
        assert banner.is_visible()
        assert staff.email in banner.inner_text() and owner.email in banner.inner_text()
        box = banner.bounding_box()
        assert box is not None and box["width"] <= width

    page.get_by_role("button", name="Stop viewing as them").click()
    page.wait_for_url(f"**/admin/accounts/user/{owner.pk}/change/")
    assert Impersonation.objects.get().end_reason == "stopped"
    page.goto("/account/")
    assert page.get_by_test_id("impersonation-banner").count() == 0
