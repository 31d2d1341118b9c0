"""A personal workspace's billing page: one person, so no seat count and no list of
contacts (they are the only one); seats come back once its account also pays for an
organisation. An organisation's page keeps both."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from billing.models import Account
from tenants.models import Tenant

pytestmark = pytest.mark.django_db


def test_a_personal_workspace_shows_its_plan_without_seats_or_contacts(
    auth_client: Client, user: Any
) -> None:
    html = auth_client.get(f"/t/{user.personal_tenant.slug}/billing/").content.decode()

    assert "Your plan and payment details." in html
    assert "Current plan" in html and "Storage" in html
    assert "Seats used" not in html and "Billing contacts" not in html


def test_a_personal_workspace_has_no_member_cap_row(
    auth_client: Client, user: Any, billing_on: Any
) -> None:
    """One person, no invitations: "Members 1 of 3" would say nothing."""
    html = auth_client.get(f"/t/{user.personal_tenant.slug}/billing/").content.decode()

    assert "Current plan" in html
    assert 'data-testid="billing-member-cap"' not in html


def test_seats_show_once_its_account_pays_for_an_organisation(
    auth_client: Client, user: Any
) -> None:
    personal = user.personal_tenant
    auth_client.post(
        "/account/tenants/new/", {"name": "Side Project", "account": str(personal.account_id)}
    )
    assert Tenant.objects.get(name="Side Project").account_id == personal.account_id

    html = auth_client.get(f"/t/{personal.slug}/billing/").content.decode()

    assert "Seats used" in html
    assert "Billing contacts" not in html


def test_an_organisation_on_a_capped_plan_shows_its_members_and_contacts(
    owner_client: Client, acme: Any
) -> None:
    """On Free (a member cap, no price per seat) "Seats used 3" stood beside "Members 4
    of 5 (1 invitation)": the same people counted two ways, one of them billing nothing."""
    html = owner_client.get(f"/t/{acme.slug}/billing/").content.decode()

    assert "Your plan, seats and payment details." in html
    assert 'data-testid="billing-member-cap"' in html and "Billing contacts" in html
    assert "Seats used" not in html


def test_an_organisation_billed_per_seat_shows_the_seats(
    local_billing: Any, owner_client: Client, acme: Any
) -> None:
    Account.objects.filter(pk=acme.account_id).update(
        plan="pro", status="active", stripe_subscription_id="sub_1", stripe_customer_id="cus_1"
    )

    html = owner_client.get(f"/t/{acme.slug}/billing/").content.decode()

    assert "Seats used" in html and 'data-testid="billing-member-cap"' in html


def _upgrade_section(html: str) -> str:
    return html.split('id="plans-heading"', 1)[1]


def test_a_personal_workspace_is_offered_only_what_it_can_use(
    local_billing: Any, auth_client: Client, user: Any
) -> None:
    """No members, teams, roles, keys or single sign-on in a personal workspace: its
    upgrade cards offer storage and history, and point to organisations for the rest."""
    upgrade = _upgrade_section(
        auth_client.get(f"/t/{user.personal_tenant.slug}/billing/").content.decode()
    )

    assert "of storage" in upgrade and "Full audit history" in upgrade
    for offered in ("Up to 100 members", "Teams", "Custom roles", "API keys", "Billed for"):
        assert f"<li>{offered}" not in upgrade, offered
    assert "are for organisations" in upgrade and 'href="/account/tenants/new/"' in upgrade


def test_an_organisation_is_offered_every_feature(
    local_billing: Any, owner_client: Client, acme: Any
) -> None:
    upgrade = _upgrade_section(owner_client.get(f"/t/{acme.slug}/billing/").content.decode())

    for offered in ("Up to 100 members", "Teams", "Custom roles", "API keys", "Billed for"):
        assert f"<li>{offered}" in upgrade or f'<li class="text-slate-500">{offered}' in upgrade
    assert "are for organisations" not in upgrade


def _offered_features(html: str) -> dict[str, list[str]]:
    """Each upgrade card's plan and the features its list names."""
    features = {str(f["name"]) for f in settings.BILLING_FEATURES.values()}
    cards = _upgrade_section(html).split('<div class="card flex flex-col">')[1:]
    return {
        re.search(r"<h3[^>]*>(.*?)</h3>", card)[1]: [  # type: ignore[index]
            item for item in re.findall(r"<li>(.*?)</li>", card) if item in features
        ]
        for card in cards
    }


def test_an_upgrade_card_lists_only_what_the_plan_adds_to_free(
    local_billing: Any, owner_client: Client, acme: Any
) -> None:
    """Free as shipped has teams (config/settings.py): "Teams" on the Pro and Business
    cards read as something an upgrade brings."""
    local_billing.BILLING_PLANS["free"]["features"] = ["teams"]

    html = owner_client.get(f"/t/{acme.slug}/billing/").content.decode()

    assert _offered_features(html) == {
        "Pro": ["Custom roles", "Full audit history", "API keys"],
        "Business": ["Custom roles", "Full audit history", "API keys", "Single sign-on"],
    }
