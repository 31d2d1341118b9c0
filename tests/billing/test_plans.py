"""The plan helper other apps call: features, limits, and the upgrade prompt."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.http import HttpResponse

from billing.exceptions import PlanLimitReached
from billing.middleware import PlanLimitMiddleware
from billing.models import Account
from billing.plans import (
    Plan,
    plan_allows,
    plan_check_members,
    plan_check_storage,
    plan_for_tenant,
    plan_limit,
    plan_limits_said,
    plan_require,
    plan_usage,
)
from tenants.selectors import tenant_seats_taken
from tests.tenants.factories import add_member


def subscribe(acme: Any, plan: str, status: str = "active") -> None:
    Account.objects.filter(pk=acme.account_id).update(
        plan=plan, status=status, stripe_subscription_id="sub_1", stripe_customer_id="cus_1"
    )
    acme.account.refresh_from_db()


def test_the_free_plan_has_no_teams(billing_settings: Any, acme: Any) -> None:
    assert plan_allows(tenant=acme, feature="teams") is False
    with pytest.raises(PlanLimitReached) as exc:
        plan_require(tenant=acme, feature="teams")
    assert exc.value.message == (
        "The Free plan does not include teams. Upgrade to a plan that includes it to continue."
    )
    assert exc.value.upgrade_url == f"/t/{acme.slug}/billing/"


def test_a_paid_plan_grants_its_features_and_limits(billing_settings: Any, acme: Any) -> None:
    subscribe(acme, "pro")

    assert plan_allows(tenant=acme, feature="teams") is True
    plan_require(tenant=acme, feature="teams")
    assert plan_limit(tenant=acme, limit="max_members") == 100


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("trialing", "pro"),
        ("past_due", "pro"),
        ("canceled", "free"),
        ("unpaid", "free"),
        ("incomplete", "free"),
    ],
)
def test_only_a_live_subscription_grants_its_plan(
    billing_settings: Any, acme: Any, status: str, expected: str
) -> None:
    subscribe(acme, "pro", status)

    assert plan_for_tenant(acme).key == expected


def test_without_keys_everyone_is_on_free(no_billing: Any, acme: Any) -> None:
    subscribe(acme, "pro")

    assert plan_for_tenant(acme).key == "free"
    # Nothing can be bought, so no feature is withheld (the Free plan here has none).
    assert plan_allows(tenant=acme, feature="teams") is True


def test_the_member_cap_refuses_the_member_past_it(billing_settings: Any, acme: Any) -> None:
    add_member(acme)
    plan_check_members(tenant=acme, taken=tenant_seats_taken(tenant=acme))  # 2 of 3: one more fits
    add_member(acme)

    with pytest.raises(PlanLimitReached) as exc:
        plan_check_members(tenant=acme, taken=tenant_seats_taken(tenant=acme))
    assert "allows up to 3 members" in exc.value.message
    assert "already has 3" in exc.value.message
    assert exc.value.message.endswith("Upgrade your plan to add more people.")
    assert exc.value.upgrade_url == f"/t/{acme.slug}/billing/"


def test_without_billing_a_full_member_cap_says_how_to_make_room(
    no_billing: Any, acme: Any
) -> None:
    add_member(acme)
    add_member(acme)

    with pytest.raises(PlanLimitReached) as exc:
        plan_check_members(tenant=acme, taken=tenant_seats_taken(tenant=acme))
    # Nothing can be bought: no upgrade in the words, no billing page to send anyone to
    # (it would only say that billing is not set up).
    assert exc.value.message == (
        f"The Free plan allows up to 3 members, and {acme.name} already has 3 (members and "
        "pending invitations). To add someone, remove a member or cancel a pending invitation."
    )
    assert exc.value.upgrade_url == ""


def test_the_member_cap_counts_a_batch(billing_settings: Any, acme: Any) -> None:
    with pytest.raises(PlanLimitReached):
        plan_check_members(tenant=acme, taken=tenant_seats_taken(tenant=acme), adding=3)


def test_an_unlimited_plan_has_no_member_cap(billing_settings: Any, acme: Any) -> None:
    subscribe(acme, "business")

    plan_check_members(tenant=acme, taken=tenant_seats_taken(tenant=acme), adding=10_000)


def test_the_storage_cap(billing_settings: Any, acme: Any) -> None:
    mb = 1024 * 1024
    plan_check_storage(tenant=acme, used_bytes=99 * mb, adding_bytes=mb)

    with pytest.raises(PlanLimitReached) as exc:
        plan_check_storage(tenant=acme, used_bytes=99 * mb, adding_bytes=mb + 1)
    assert exc.value.message == (
        "This file is 1.1 MB; 1 MB of the Free plan's 100\xa0MB of storage is left. "
        "Delete files or upgrade your plan."
    )
    assert exc.value.upgrade_url == f"/t/{acme.slug}/billing/"


def test_someone_who_cannot_upgrade_is_told_whom_to_ask(billing_settings: Any, acme: Any) -> None:
    mb = 1024 * 1024
    plain = add_member(acme).user
    owner = acme.memberships.get(role__key="owner").user

    with pytest.raises(PlanLimitReached) as storage:
        plan_check_storage(tenant=acme, used_bytes=100 * mb, adding_bytes=1, acting_user=plain)
    with pytest.raises(PlanLimitReached) as members:
        plan_check_members(tenant=acme, taken=3, acting_user=plain)
    with pytest.raises(PlanLimitReached) as owners:
        plan_check_members(tenant=acme, taken=3, acting_user=owner)

    assert storage.value.message.endswith(
        "Delete files, or ask an owner or billing admin to upgrade."
    )
    assert members.value.message.endswith(
        "To add more people, ask an owner or billing admin to upgrade."
    )
    assert storage.value.upgrade_url == members.value.upgrade_url == ""
    assert owners.value.message.endswith("Upgrade your plan to add more people.")
    assert owners.value.upgrade_url == f"/t/{acme.slug}/billing/"


def test_without_billing_a_full_storage_cap_says_to_delete_files(
    no_billing: Any, acme: Any
) -> None:
    mb = 1024 * 1024

    with pytest.raises(PlanLimitReached) as exc:
        plan_check_storage(tenant=acme, used_bytes=99 * mb, adding_bytes=mb + 1)
    assert exc.value.message == (
        "This file is 1.1 MB; 1 MB of the Free plan's 100\xa0MB of storage is left. "
        "Delete files to make room."
    )
    assert exc.value.upgrade_url == ""


def test_an_unlimited_limit_reads_in_lower_case_after_of(settings: Any, acme: Any) -> None:
    """ "4 of unlimited": German read "4 von Unbegrenzt", one word serving a label and a
    limit; the plan list says "Unlimited storage" (it read "Unlimited of storage")."""
    from django.utils import translation

    plans = {**settings.BILLING_PLANS, "free": {**settings.BILLING_PLANS["free"]}}
    plans["free"].update(max_members=None, max_storage_mb=None)
    settings.BILLING_PLANS = plans

    with translation.override("de"):
        labels = [u.limit_label for u in plan_usage(tenant=acme, seats_taken=4, storage_bytes=0)]

    assert labels == ["unbegrenzt", "unbegrenzt"]


def test_usage_offers_an_upgrade_only_while_billing_is_on(
    settings: Any, billing_settings: Any, acme: Any
) -> None:
    assert [u.upgradable for u in plan_usage(tenant=acme, seats_taken=1, storage_bytes=0)] == [
        True,
        True,
    ]
    settings.STRIPE_SECRET_KEY = ""

    assert [u.upgradable for u in plan_usage(tenant=acme, seats_taken=1, storage_bytes=0)] == [
        False,
        False,
    ]


def test_a_refusal_becomes_an_upgrade_page(rf: Any, billing_settings: Any, acme: Any) -> None:
    request = rf.get("/")
    request.role = acme.roles.get(key="owner")
    request.user = acme.memberships.get().user
    exc = PlanLimitReached("Teams are not included.", upgrade_url="/t/x/billing/")

    response = PlanLimitMiddleware(lambda r: HttpResponse()).process_exception(request, exc)

    assert response is not None and response.status_code == 403
    page = response.content.decode()
    assert "Teams are not included." in page
    assert 'href="/t/x/billing/"' in page


def test_members_who_cannot_pay_are_told_whom_to_ask(
    rf: Any, billing_settings: Any, acme: Any
) -> None:
    request = rf.get("/")
    request.role = acme.roles.get(key="member")
    request.user = acme.memberships.get().user
    exc = PlanLimitReached("Teams are not included.", upgrade_url="/t/x/billing/")

    response = PlanLimitMiddleware(lambda r: HttpResponse()).process_exception(request, exc)

    assert "Ask an owner or billing admin" in response.content.decode()


def test_without_billing_the_refusal_page_offers_no_upgrade(
    rf: Any, no_billing: Any, acme: Any
) -> None:
    request = rf.get("/")
    request.role = acme.roles.get(key="owner")
    request.user = acme.memberships.get().user
    add_member(acme)
    add_member(acme)
    with pytest.raises(PlanLimitReached) as refused:
        plan_check_members(tenant=acme, taken=tenant_seats_taken(tenant=acme))

    response = PlanLimitMiddleware(lambda r: HttpResponse()).process_exception(
        request, refused.value
    )

    assert response is not None and response.status_code == 403
    page = response.content.decode()
    assert "<title>Limit reached" in page and ">Limit reached</h1>" in page
    assert "remove a member or cancel a pending invitation" in page
    shown = re.sub(r"<[^>]+>", " ", page.split("<main", 1)[1])
    assert "pgrade" not in shown and "See plans" not in shown, "no upgrade, for anyone"
    assert "/billing/" not in page


def test_other_exceptions_pass_through(rf: Any) -> None:
    middleware = PlanLimitMiddleware(lambda r: HttpResponse())

    assert middleware.process_exception(rf.get("/"), ValueError("x")) is None


def _plan(**limits: Any) -> Plan:
    return Plan(
        key="p",
        name="P",
        price_label="",
        price_id="",
        per_seat=False,
        features=frozenset(),
        **{"max_members": None, "max_storage_mb": None, **limits},
    )


@pytest.mark.parametrize(
    ("current", "new", "said"),
    [
        ({}, {"max_members": 1}, "up to 1 member per workspace (now unlimited)"),
        (
            {"max_members": 10, "max_storage_mb": 2048},
            {"max_members": 5, "max_storage_mb": 100},
            "up to 5 members per workspace (now 10) and "
            "100\xa0MB of storage per workspace (now 2\xa0GB)",
        ),
        (
            {"max_members": 5},
            {"max_members": 5, "max_storage_mb": 100},
            "100\xa0MB of storage per workspace (now unlimited)",
        ),
        ({"max_members": 5}, {"max_members": 10}, ""),  # a higher limit is not said
        ({}, {}, ""),
    ],
)
def test_lower_limits_are_said_in_figures(current: Any, new: Any, said: str) -> None:
    assert plan_limits_said(current=_plan(**current), new=_plan(**new)) == said
