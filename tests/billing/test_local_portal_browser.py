"""The local billing portal in Chromium: a founder's demo from upgrade to cancellation,
and the portal page passes the every-page quality bar at desktop and phone width."""

from __future__ import annotations

from typing import Any

import pytest

from billing.models import Account
from tests.config.pagecheck import PageWatch
from tests.core.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_upgrade_then_cancel_and_resume_through_the_local_portal(
    local_billing: Any, page: Any, owner: Any, acme: Any, viewport: tuple[int, int]
) -> None:
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    watch = PageWatch.attach(page)
    sign_in(page, owner.email, then=f"/t/{acme.slug}/billing/")
    page.get_by_role("button", name="Upgrade to Business").click()
    page.get_by_text("is now on the Business plan").wait_for()

    assert watch.check(f"/t/{acme.slug}/billing/") == []
    page.get_by_role("link", name="Manage billing").click()
    assert watch.check(f"/t/{acme.slug}/billing/portal/local/") == []

    page.get_by_role("button", name="Cancel at the end of the period").click()
    page.get_by_text("The subscription ends with the current period.").first.wait_for()
    assert Account.objects.get(pk=acme.account_id).cancel_at_period_end

    page.get_by_role("button", name="Keep the subscription").click()
    page.get_by_text("The subscription continues after this period.").first.wait_for()
    assert not Account.objects.get(pk=acme.account_id).cancel_at_period_end
