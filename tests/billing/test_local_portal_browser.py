"""The local billing portal in Chromium: a founder's demo from upgrade to cancellation,
and the portal page passes the every-page quality bar at desktop and phone width."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from billing.models import Account
from tests.config.pagecheck import _OVERFLOW, PageWatch
from tests.core.browser import dialog, sign_in

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
    dialog(page).get_by_role("button", name="Cancel at the end of the period").click()
    page.get_by_text("The subscription ends with the current period.").first.wait_for()
    assert Account.objects.get(pk=acme.account_id).cancel_at_period_end

    page.get_by_role("button", name="Keep the subscription").click()
    page.get_by_text("The subscription continues after this period.").first.wait_for()
    assert not Account.objects.get(pk=acme.account_id).cancel_at_period_end


@pytest.mark.parametrize(
    ("width", "language"),
    [(1280, "en"), (360, "en"), (360, "de")],
    ids=["desktop", "phone", "phone-de"],
)
def test_an_ended_subscription_says_so_and_its_invoices_fit_a_phone(
    local_billing: Any, page: Any, acme: Any, width: int, language: str
) -> None:
    """After cancelling and the period ending, the billing page no longer says the
    subscription "is set to cancel" (nor "Ends on —"), the portal says when it ended,
    and the invoices read as one card each on a phone, in German too."""
    owner, watch = upgraded_to_business(page, acme, width)
    page.goto(f"/t/{acme.slug}/billing/")
    page.get_by_role("link", name="Manage billing").click()
    page.get_by_role("button", name="Cancel at the end of the period").click()
    dialog(page).get_by_role("button", name="Cancel at the end of the period").click()
    page.get_by_text("The subscription ends with the current period.").first.wait_for()
    page.get_by_role("button", name="The period ends").click()
    page.locator("[data-testid=portal-status]").get_by_text("Canceled").wait_for()
    assert "Ended on" in (page.locator("#subscription-heading + dl").text_content() or "")
    owner.language = language
    owner.save(update_fields=["language"])

    assert watch.check(f"/t/{acme.slug}/billing/") == []
    main = page.locator("main").text_content() or ""
    assert Account.objects.get(pk=acme.account_id).plan == "free"
    if language == "en":
        assert "set to cancel" not in main and "Ends on" not in main
    invoices = page.get_by_test_id("invoices").locator("tbody tr")
    assert invoices.count() >= 1
    box = invoices.first.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width
    # An invoice's date carries its year, this year's too ("8 December" beside a renewal
    # on "7 January 2027" read as if from another year).
    dated = invoices.first.locator("td").nth(1).inner_text()
    assert str(timezone.localdate().year) in dated, dated


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_cancelling_asks_first_and_the_audit_log_says_who_set_the_end(
    local_billing: Any, page: Any, owner: Any, acme: Any, width: int
) -> None:
    """The walk that found it: cancel in the portal, then look for it in the audit log.
    A downgrade that loses single sign-on asks too, and answering no changes nothing."""
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, owner.email, then=f"/t/{acme.slug}/billing/")
    page.get_by_role("button", name="Upgrade to Business").click()
    page.get_by_text("is now on the Business plan").wait_for()
    assert watch.check(f"/t/{acme.slug}/billing/portal/local/") == []

    page.get_by_test_id("portal-plans").get_by_text("Pro", exact=True).click()
    page.get_by_role("button", name="Change plan").click()
    expect_text(dialog(page), "Pro does not include single sign-on")
    dialog(page).get_by_role("button", name="Cancel", exact=True).click()
    assert Account.objects.get(pk=acme.account_id).plan == "business"

    page.get_by_role("button", name="Cancel at the end of the period").click()
    expect_text(dialog(page), "Business stays until")
    assert page.evaluate(_OVERFLOW) is None, "the open dialog fits the window"
    dialog(page).get_by_role("button", name="Cancel at the end of the period").click()
    page.get_by_text("The subscription ends with the current period.").first.wait_for()
    account = Account.objects.get(pk=acme.account_id)
    assert account.cancel_at_period_end

    assert watch.check(f"/t/{acme.slug}/audit/?action=billing.end_scheduled") == []
    row = page.get_by_test_id("audit-table").locator("tbody tr")
    assert row.count() == 1
    assert "Subscription set to end" in (row.text_content() or "")
    assert row.get_by_test_id("audit-actor").text_content() == owner.email
    ends = account.current_period_end
    assert ends is not None
    change = row.get_by_test_id("audit-change").text_content() or ""
    assert f"Ends on: {ends.day} {ends:%B %Y}" in " ".join(change.split())


def upgraded_to_business(page: Any, acme: Any, width: int) -> tuple[Any, PageWatch]:
    """Acme's owner, signed in at `width`, upgrades to Business through the local
    checkout; returns the owner and the page's watch."""
    owner = acme.memberships.get(role__key="owner").user
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, owner.email, then=f"/t/{acme.slug}/billing/")
    page.get_by_role("button", name="Upgrade to Business").click()
    page.get_by_text("is now on the Business plan").wait_for()
    return owner, watch


def expect_text(locator: Any, text: str) -> None:
    locator.get_by_text(text, exact=False).wait_for()


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_each_plan_and_its_price_show_whole_in_german(
    local_billing: Any, page: Any, acme: Any, width: int
) -> None:
    """The walk found the German plan menu cut at the card's edge on a phone ("Pro (12 $
    pro Mitglied / Monat"): a menu is one line; the plans are now choices that wrap."""
    owner, watch = upgraded_to_business(page, acme, width)
    owner.language = "de"
    owner.save(update_fields=["language"])

    assert watch.check(f"/t/{acme.slug}/billing/portal/local/") == []

    card = page.locator("section[aria-labelledby=plan-change-heading]").bounding_box()
    assert card is not None
    choice = page.get_by_test_id("portal-plans").locator("label").filter(has_text="Pro")
    price = choice.get_by_text("12 $ pro Mitglied / Monat", exact=True)
    for box in (choice.bounding_box(), price.bounding_box()):
        assert box is not None
        assert card["x"] < box["x"] and box["x"] + box["width"] < card["x"] + card["width"]
    assert price.evaluate("el => el.scrollWidth <= el.clientWidth")  # not cut inside
    assert page.get_by_role("radio", name="Pro").is_checked()  # the only other plan


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_moving_up_a_plan_asks_first_with_its_price(
    local_billing: Any, page: Any, acme: Any, width: int
) -> None:
    """Pro at $12 a member to Business at $299 a month was one click in the portal."""
    upgraded_to_business(page, acme, width)
    page.goto(f"/t/{acme.slug}/billing/portal/local/")
    page.get_by_role("radio", name="Pro").check()
    page.get_by_role("button", name="Change plan").click()
    assert "btn-danger" in (
        dialog(page).get_by_role("button", name="Change plan").get_attribute("class") or ""
    )
    dialog(page).get_by_role("button", name="Change plan").click()
    page.get_by_role("radio", name="Business").wait_for()
    assert Account.objects.get(pk=acme.account_id).plan == "pro"

    page.get_by_role("radio", name="Business").check()
    page.get_by_role("button", name="Change plan").click()
    expect_text(dialog(page), "Business costs $299 / month, flat.")
    # A move that takes nothing away asks in the brand's colour, not as a danger (a walk
    # read the red button as a warning); the move down above asked in red.
    accept = dialog(page).get_by_role("button", name="Change plan")
    assert "btn-primary" in (accept.get_attribute("class") or "")
    assert "btn-danger" not in (accept.get_attribute("class") or "")
    assert page.evaluate(_OVERFLOW) is None, "the open dialog fits the window"
    dialog(page).get_by_role("button", name="Cancel", exact=True).click()
    assert Account.objects.get(pk=acme.account_id).plan == "pro"
    page.get_by_role("button", name="Change plan").click()
    dialog(page).get_by_role("button", name="Change plan").click()
    page.get_by_role("radio", name="Pro").wait_for()
    assert Account.objects.get(pk=acme.account_id).plan == "business"


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_the_audit_log_says_who_went_to_pay_before_the_providers_plan_change(
    local_billing: Any, page: Any, owner: Any, acme: Any, width: int
) -> None:
    """A walk upgraded and the log said only "Plan changed: Free → Pro" by System: who
    committed the organisation's money was nowhere."""
    from playwright.sync_api import expect

    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, owner.email, then=f"/t/{acme.slug}/billing/")
    page.get_by_role("button", name="Upgrade to Business").click()
    page.get_by_text("is now on the Business plan").wait_for()

    page.goto(f"/t/{acme.slug}/audit/")
    rows = page.get_by_test_id("audit-table").locator("tbody tr")
    started = rows.filter(has_text="Checkout started")
    expect(started).to_have_count(1)
    expect(started).to_contain_text(owner.email)
    expect(started).to_contain_text("Business")
    expect(rows.filter(has_text="Plan changed")).to_have_count(1)
    assert page.evaluate(_OVERFLOW) is None
