"""Subscription state from the provider: applying it to an account, re-reading it,
and setting the seat count.

The worker side of billing: `billing.tasks` runs `account_seats_sync`, and webhook
processing (`billing.webhook_processing`) applies subscriptions, so this module
enqueues nothing and imports no task.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from billing.audit import BillingAction
from billing.backends import billing_backend
from billing.exceptions import BillingNotConfigured
from billing.models import TERMINAL_STATUSES, Account
from billing.plans import plan_for_price, plan_get
from billing.selectors import account_quantity_due, first_billing_contact_email
from core.audit import audit_record
from webhooks.events import event_emit

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger("billing")


def backend_or_refuse() -> Any:
    backend = billing_backend()
    if not backend.is_configured():
        raise BillingNotConfigured()
    return backend


def account_customer_email_sync(*, account: Account) -> str:
    """Tell the provider the address its own receipts and payment reminders go to: the
    home workspace's first billing contact as of now (read at run time, so late or
    repeated runs converge). "" when there is nothing to tell."""
    home = account.home_tenant
    if not account.stripe_customer_id or home is None:
        return ""
    email = first_billing_contact_email(tenant=home)
    if not email:
        return ""
    backend_or_refuse().customer_email_set(customer_id=account.stripe_customer_id, email=email)
    return email


def _timestamp(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), tz=UTC) if value else None


def account_subscription_apply(
    *,
    account: Account,
    subscription: dict[str, Any],
    as_of: datetime | None,
    acting_user: User | None = None,
) -> bool:
    """Make the account reflect `subscription` as it was at `as_of` (None: just fetched).

    Out-of-order safe: state older than what the account already shows is ignored,
    and a late event about an ended, replaced subscription cannot overwrite the
    current one. Returns whether anything was applied.

    The one place every provider's state arrives (Stripe's webhooks, the local
    backend's events, checkout returns, `sync_stripe`), so the audit log of a plan
    change or a scheduled end is written here. `acting_user` is who made the change
    when we know it (the local portal); None is the provider (a webhook), "System".
    """
    as_of = as_of or timezone.now()
    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=account.pk)
        if account.stripe_state_at and as_of < account.stripe_state_at:
            logger.info("Ignoring stale state of %s for account %s", subscription["id"], account.pk)
            return False
        status = subscription.get("status", "")
        if (
            account.stripe_subscription_id
            and subscription["id"] != account.stripe_subscription_id
            and status in TERMINAL_STATUSES
        ):
            return False
        item = (subscription.get("items") or {}).get("data", [{}])[0]
        price_id = (item.get("price") or {}).get("id", "")
        plan = plan_for_price(price_id) or plan_get(
            (subscription.get("metadata") or {}).get("plan", "")
        )
        account.stripe_subscription_id = subscription["id"]
        customer = subscription.get("customer")
        if customer and not account.stripe_customer_id:
            account.stripe_customer_id = customer
        account.status = status if status in Account.Status.values else ""
        if status in TERMINAL_STATUSES or plan is None:
            account.plan = "free"
        else:
            account.plan = plan.key
        # API versions from 2025-03-31 carry the period on the item.
        period_end = _timestamp(
            subscription.get("current_period_end") or item.get("current_period_end")
        )
        # Set to end on a chosen day (`cancel_at`: the Dashboard's custom date, the API)
        # rather than at the period's end: it ends then, and is said so ("Ends on").
        cancel_at = _timestamp(subscription.get("cancel_at"))
        if cancel_at is not None and (period_end is None or cancel_at < period_end):
            period_end = cancel_at
        account.current_period_end = period_end
        account.cancel_at_period_end = (
            bool(subscription.get("cancel_at_period_end")) or cancel_at is not None
        )
        account.seats = int(item.get("quantity") or 1)
        account.stripe_state_at = as_of
        account.full_clean()
        previous = Account.objects.values(
            "plan", "status", "cancel_at_period_end", "stripe_subscription_id", "current_period_end"
        ).get(pk=account.pk)
        previous_plan, previous_status = previous["plan"], previous["status"]
        account.save()
        if previous_plan != account.plan:
            _audit_plan_change(account=account, before=previous_plan, acting_user=acting_user)
        _audit_end_change(account=account, previous=previous, acting_user=acting_user)
        # Setting the subscription to end (or keeping it) changes what the organisation
        # will be on, so its integrations hear of it as of a plan or status change.
        was = (previous_plan, previous_status, previous["cancel_at_period_end"])
        if was != (account.plan, account.status, account.cancel_at_period_end):
            for tenant_id in account.tenants.filter(deleted_at__isnull=True).values_list(
                "pk", flat=True
            ):
                event_emit(
                    tenant_id=tenant_id,
                    type="subscription.changed",
                    data={
                        "plan": account.plan,
                        "previous_plan": previous_plan,
                        "status": account.status,
                        "cancel_at_period_end": account.cancel_at_period_end,
                    },
                )
    return True


def _audit_plan_change(*, account: Account, before: str, acting_user: User | None) -> None:
    """Every live workspace the account pays for logs the change (the provider is the
    actor unless we know the person)."""
    for tenant in account.tenants.filter(deleted_at__isnull=True):
        audit_record(
            tenant=tenant,
            action=BillingAction.PLAN_CHANGED,
            acting_user=acting_user,
            target=account,
            before={"plan": before},
            after={"plan": account.plan, "status": account.status},
        )


def _audit_end_change(
    *, account: Account, previous: Mapping[str, Any], acting_user: User | None
) -> None:
    """Log `cancel_at_period_end` turning on ("Subscription set to end", with the day)
    or off ("Subscription kept") on the same live subscription, in every live workspace
    the account pays for. Not when a subscription ends or a new one replaces it: the
    plan change says that."""
    same_subscription = previous["stripe_subscription_id"] == account.stripe_subscription_id
    live = previous["status"] not in TERMINAL_STATUSES and account.has_live_subscription
    if not (same_subscription and live):
        return
    if previous["cancel_at_period_end"] == account.cancel_at_period_end:
        return
    was, now = (
        moment.isoformat() if moment else None
        for moment in (previous["current_period_end"], account.current_period_end)
    )
    if account.cancel_at_period_end:
        action, before, after = BillingAction.END_SCHEDULED, {"renews_on": was}, {"ends_on": now}
    else:
        action, before, after = BillingAction.KEPT, {"ends_on": was}, {"renews_on": now}
    for tenant in account.tenants.filter(deleted_at__isnull=True):
        audit_record(
            tenant=tenant,
            action=action,
            acting_user=acting_user,
            target=account,
            before=before,
            after={**after, "plan": account.plan},
        )


def account_sync(*, account: Account) -> bool:
    """Re-read the account's subscription from the provider and apply it as current.
    Returns False when the customer has no subscription.

    When the stored subscription has ended, the customer's other subscriptions are
    looked at too: one started since (its checkout webhook lost) is applied in its
    place, audited like any plan change. Reading only the stored one, reconciliation
    left such a customer paying for a plan while the account stayed on Free."""
    backend = backend_or_refuse()
    subscription = None
    if account.stripe_subscription_id:
        subscription = backend.subscription_get(subscription_id=account.stripe_subscription_id)
    if account.stripe_customer_id and (
        subscription is None or subscription.get("status") in TERMINAL_STATUSES
    ):
        found = backend.subscription_find(customer_id=account.stripe_customer_id)
        if found is not None and (
            subscription is None
            or (found["id"] != subscription["id"] and found.get("status") not in TERMINAL_STATUSES)
        ):
            if subscription is not None:
                logger.warning(
                    "Account %s: subscription %s has ended; following %s (%s)",
                    account.pk,
                    subscription["id"],
                    found["id"],
                    found.get("status"),
                )
            subscription = found
    if subscription is None:
        return False
    return account_subscription_apply(account=account, subscription=subscription, as_of=None)


def account_seats_sync(*, account: Account) -> bool:
    """Set the subscription quantity to what its plan bills for now: the seats in use on
    a per-seat plan, 1 on a flat one (read at run time, so tasks that run late or out of
    order still converge). Returns whether it changed.

    A flat plan is checked too: Stripe keeps the quantity when its portal changes the
    price, so Pro for three people moved to Business would be billed Business three times.

    One sync per account at a time: the account's row stays locked from reading the seats
    in use until the quantity Stripe answers with is stored. Two members joining at once
    used to start two syncs that both read before either wrote, and the slower one's
    Stripe call, carrying the older count, landed last. The lock is held across the
    Stripe call (STRIPE_TIMEOUT per try, with the client's STRIPE_MAX_NETWORK_RETRIES
    retries: about half a minute at worst, in a worker; checkout and the processing of
    the account's Stripe events wait meanwhile), as webhook processing holds it; FOR
    NO KEY UPDATE leaves the row to the key-share locks of rows that merely point to it.
    """
    backend = backend_or_refuse()
    with transaction.atomic():
        account = Account.objects.select_for_update(no_key=True).get(pk=account.pk)
        plan = plan_get(account.plan)
        if not account.has_live_subscription or plan is None:
            return False
        due = account_quantity_due(account=account, plan=plan)
        if due == account.seats:
            return False
        subscription = backend.subscription_quantity_update(
            subscription_id=account.stripe_subscription_id, quantity=due
        )
        account_subscription_apply(account=account, subscription=subscription, as_of=None)
    return True
