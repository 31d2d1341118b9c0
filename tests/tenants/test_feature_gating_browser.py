"""The upgrade cards of gated features pass the every-page quality bar (no overflow,
no console or CSP error, no serious axe violation) at desktop and phone width."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.config.pagecheck import PageWatch
from tests.core.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_gated_pages_show_their_upgrade_card_cleanly(
    page: Any, owner: Any, acme: Any, settings: Any, viewport: tuple[int, int]
) -> None:
    settings.STRIPE_SECRET_KEY = "sk_test_pacetrack"  # billing on: Free lacks the features
    plans = copy.deepcopy(settings.BILLING_PLANS)
    plans["free"]["features"] = []  # teams too, which Free includes out of the box
    settings.BILLING_PLANS = plans
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    watch = PageWatch.attach(page)
    sign_in(page, owner.email)

    for path, feature in (
        ("roles/", "custom_roles"),
        ("audit/", "audit_history"),
        ("teams/", "teams"),
        ("settings/api-keys/", "api_keys"),
        ("settings/sso/", "sso"),
        ("settings/scim/", "sso"),
    ):
        assert watch.check(f"/t/{acme.slug}/{path}") == [], path
        card = page.get_by_test_id(f"upgrade-{feature}")
        assert card.is_visible()
        assert card.get_by_role("link", name="Upgrade").get_attribute("href") == (
            f"/t/{acme.slug}/billing/"
        )
