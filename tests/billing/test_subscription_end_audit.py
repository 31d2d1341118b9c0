"""Scheduling the end of a subscription, and keeping it after all, leave a row in the
audit log of every workspace the account pays for: from Stripe's webhooks (the
provider acted, "System") and from the local portal (the person who pressed the
button), through the one place both arrive (`account_subscription_apply`)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from billing.audit import BillingAction
from billing.backends.base import LOCAL_ACTOR_KEY
from billing.models import Account
from core.models import AuditEvent
from tests.billing.stripe_transport import event, recorded
from tests.billing.test_local_backend import act
from tests.billing.test_views import url
from tests.billing.test_webhooks import deliver
from tests.tenants.factories import OrgFactory
from webhooks.models import Delivery
from webhooks.services import endpoint_create

# The recorded subscription's period ends on 1 February 2025 (00:03:20 UTC).
PERIOD_END = datetime(2025, 2, 1, 0, 3, 20, tzinfo=UTC)


@pytest.fixture
def account(acme: Any) -> Account:
    account = acme.account
    account.stripe_customer_id = "cus_QX1a2b3c4d5e6f"
    account.save()
    return account


@pytest.fixture
def post(client: Any, django_capture_on_commit_callbacks: Any) -> Any:
    def _post(payload: dict) -> Any:
        response = deliver(client, payload, capture=django_capture_on_commit_callbacks)
        assert response.status_code == 200
        return response

    return _post


def stripe_subscription(**overrides: Any) -> dict[str, Any]:
    return recorded("subscription", **overrides)


def rows(tenant: Any, *actions: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.for_tenant(tenant).filter(action__in=actions).order_by("created_at")
    )


END_ROWS = (BillingAction.END_SCHEDULED, BillingAction.KEPT)


@pytest.fixture
def on_pro(stripe_http: Any, account: Account, post: Any) -> Account:
    """Acme on Pro through Stripe's first event, two minutes ago."""
    post(event("customer.subscription.created", stripe_subscription(), created=_ago(120)))
    return account


def _ago(seconds: int) -> int:
    return int(time.time()) - seconds


# --- Stripe's webhooks ---------------------------------------------------------------


def test_a_cancellation_from_stripe_is_logged_with_the_day_service_ends(
    on_pro: Account, acme: Any, post: Any
) -> None:
    post(
        event(
            "customer.subscription.updated",
            stripe_subscription(cancel_at_period_end=True),
            created=_ago(60),
        )
    )

    [row] = rows(acme, *END_ROWS)
    assert row.action == BillingAction.END_SCHEDULED
    assert row.actor is None  # Stripe does not say who used its portal: "System"
    assert row.target_label == on_pro.name
    assert row.before == {"renews_on": PERIOD_END.isoformat()}
    assert row.after == {"ends_on": PERIOD_END.isoformat(), "plan": "pro"}


def test_an_end_on_a_chosen_day_is_said_and_logged_with_that_day(
    on_pro: Account, acme: Any, post: Any, owner_client: Any
) -> None:
    """Stripe's `cancel_at` (the Dashboard's "cancel on a custom date") with
    `cancel_at_period_end` false: the billing page said "Renews on" the period's end."""
    chosen = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)
    post(
        event(
            "customer.subscription.updated",
            stripe_subscription(cancel_at=int(chosen.timestamp())),
            created=_ago(60),
        )
    )

    account = Account.objects.get(pk=on_pro.pk)
    assert account.cancel_at_period_end and account.current_period_end == chosen
    [row] = rows(acme, *END_ROWS)
    assert row.before == {"renews_on": PERIOD_END.isoformat()}
    assert row.after == {"ends_on": chosen.isoformat(), "plan": "pro"}
    page = " ".join(owner_client.get(url(acme)).content.decode().split())
    assert "Ends on" in page and "Renews on" not in page


def test_keeping_the_subscription_at_stripe_is_logged_too(
    on_pro: Account, acme: Any, post: Any
) -> None:
    post(
        event(
            "customer.subscription.updated",
            stripe_subscription(cancel_at_period_end=True),
            created=_ago(60),
        )
    )
    post(event("customer.subscription.updated", stripe_subscription(), created=_ago(30)))

    scheduled, kept = rows(acme, *END_ROWS)
    assert (scheduled.action, kept.action) == (BillingAction.END_SCHEDULED, BillingAction.KEPT)
    assert kept.actor is None
    assert kept.before == {"ends_on": PERIOD_END.isoformat()}
    assert kept.after == {"renews_on": PERIOD_END.isoformat(), "plan": "pro"}
    assert not Account.objects.get(pk=on_pro.pk).cancel_at_period_end


def test_the_same_state_delivered_again_is_not_logged_twice(
    on_pro: Account, acme: Any, post: Any
) -> None:
    cancelled = stripe_subscription(cancel_at_period_end=True)
    post(event("customer.subscription.updated", cancelled, created=_ago(60), id="evt_a"))
    post(event("customer.subscription.updated", cancelled, created=_ago(50), id="evt_b"))

    assert len(rows(acme, *END_ROWS)) == 1


def test_the_end_itself_is_a_plan_change_not_a_kept_subscription(
    on_pro: Account, acme: Any, post: Any
) -> None:
    post(
        event(
            "customer.subscription.updated",
            stripe_subscription(cancel_at_period_end=True),
            created=_ago(60),
        )
    )
    post(
        event(
            "customer.subscription.deleted",
            stripe_subscription(status="canceled", cancel_at_period_end=False),
            created=_ago(30),
        )
    )

    assert [r.action for r in rows(acme, *END_ROWS)] == [BillingAction.END_SCHEDULED]
    latest = AuditEvent.objects.for_tenant(acme).latest("created_at", "pk")
    assert (latest.action, latest.after["plan"]) == (BillingAction.PLAN_CHANGED, "free")


def test_every_workspace_the_account_pays_for_logs_it(
    on_pro: Account, acme: Any, owner: Any, post: Any
) -> None:
    branch = OrgFactory(owner=owner, name="Acme Branch")  # one person: one seat still
    branch.account = on_pro
    branch.save(update_fields=["account"])

    post(
        event(
            "customer.subscription.updated",
            stripe_subscription(cancel_at_period_end=True),
            created=_ago(60),
        )
    )

    assert [r.action for r in rows(branch, *END_ROWS)] == [BillingAction.END_SCHEDULED]
    assert [r.action for r in rows(acme, *END_ROWS)] == [BillingAction.END_SCHEDULED]


def test_a_stripe_event_cannot_name_the_actor(
    on_pro: Account, acme: Any, owner: Any, post: Any
) -> None:
    """Only the local backend's own events name who acted; under Stripe the key is
    never read, whatever a body says."""
    evt = event(
        "customer.subscription.updated",
        stripe_subscription(cancel_at_period_end=True),
        created=_ago(60),
    )
    evt[LOCAL_ACTOR_KEY] = owner.pk

    post(evt)

    [row] = rows(acme, *END_ROWS)
    assert row.actor is None


# --- The local portal ------------------------------------------------------------------


@pytest.fixture
def on_business(
    local_billing: Any, owner_client: Any, acme: Any, django_capture_on_commit_callbacks: Any
) -> Account:
    """Acme on Business through the local checkout."""
    with django_capture_on_commit_callbacks(execute=True):
        checkout = owner_client.post(url(acme, "checkout/"), {"plan": "business"})
        owner_client.get(checkout.url)
    return Account.objects.get(pk=acme.account_id)


def test_the_local_portal_logs_who_set_the_subscription_to_end_and_who_kept_it(
    on_business: Account,
    owner_client: Any,
    owner: Any,
    acme: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    act(owner_client, acme, django_capture_on_commit_callbacks, action="cancel")
    act(owner_client, acme, django_capture_on_commit_callbacks, action="resume")

    scheduled, kept = rows(acme, *END_ROWS)
    on_business.refresh_from_db()
    ends = on_business.current_period_end.isoformat()  # type: ignore[union-attr]
    assert (scheduled.action, scheduled.actor) == (BillingAction.END_SCHEDULED, owner)
    assert scheduled.after == {"ends_on": ends, "plan": "business"}
    assert (kept.action, kept.actor) == (BillingAction.KEPT, owner)
    assert kept.after == {"renews_on": ends, "plan": "business"}


def test_a_plan_change_in_the_local_portal_names_the_person(
    on_business: Account,
    owner_client: Any,
    owner: Any,
    acme: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    act(owner_client, acme, django_capture_on_commit_callbacks, action="change_plan", plan="pro")

    change = AuditEvent.objects.for_tenant(acme).filter(action=BillingAction.PLAN_CHANGED)
    assert change.latest("pk").actor == owner


def test_what_the_provider_does_on_its_own_stays_the_systems(
    on_business: Account,
    owner_client: Any,
    owner: Any,
    acme: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """A period ending is Stripe's doing, not the person who pressed the demo button."""
    act(owner_client, acme, django_capture_on_commit_callbacks, action="cancel")
    act(owner_client, acme, django_capture_on_commit_callbacks, action="renew")

    [scheduled] = rows(acme, *END_ROWS)  # the end itself is no "kept"
    assert scheduled.actor == owner
    ended = AuditEvent.objects.for_tenant(acme).filter(action=BillingAction.PLAN_CHANGED)
    assert ended.latest("pk").after["plan"] == "free"
    assert ended.latest("pk").actor is None


def test_the_audit_log_page_says_it_and_filters_by_it(
    on_business: Account, owner_client: Any, acme: Any, django_capture_on_commit_callbacks: Any
) -> None:
    act(owner_client, acme, django_capture_on_commit_callbacks, action="cancel")
    on_business.refresh_from_db()

    page = owner_client.get(
        f"/t/{acme.slug}/audit/", {"action": BillingAction.END_SCHEDULED}
    ).content.decode()

    assert f'<option value="{BillingAction.END_SCHEDULED}" selected>Subscription set to end' in page
    assert f'<option value="{BillingAction.KEPT}">Subscription kept' in page
    table = page.split('data-testid="audit-table"', 1)[1]
    assert "badge-red" in table  # the end of paid service is marked like a deletion
    assert "Subscription set to end" in table and "Plan changed" not in table
    day = on_business.current_period_end.astimezone(UTC)  # type: ignore[union-attr]
    assert f"Ends on</span>: <span>{day.day} {day:%B %Y}</span>" in table
    assert f'<span class="text-slate-500 line-through">{day.day} {day:%B %Y}</span>' in table


# --- The organisation's webhook -----------------------------------------------------------


def test_setting_the_subscription_to_end_and_keeping_it_each_send_subscription_changed(
    on_business: Account,
    owner_client: Any,
    owner: Any,
    acme: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The plan and status stay as they were: `cancel_at_period_end` is what changed."""
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    endpoint_create(
        tenant=acme,
        url="http://127.0.0.1:9/hook",
        description="",
        event_types=["subscription.changed"],
        acting_user=owner,
    )

    act(owner_client, acme, django_capture_on_commit_callbacks, action="cancel")
    act(owner_client, acme, django_capture_on_commit_callbacks, action="resume")

    sent = Delivery.objects.filter(event_type="subscription.changed").order_by("pk")
    unchanged = {"plan": "business", "previous_plan": "business", "status": "active"}
    assert [json.loads(delivery.payload)["data"] for delivery in sent] == [
        {**unchanged, "cancel_at_period_end": True},
        {**unchanged, "cancel_at_period_end": False},
    ]
