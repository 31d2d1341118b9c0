"""Billing actions: customers, checkout, portal, sharing an account, subscription state
and seats.

Provider calls go through `billing.backends.billing_backend()`; local state changes
only from what the provider says (webhooks, the checkout return, `sync_stripe`).
Checkout and the portal are for people who control the account (`account_may_manage`),
checked on every call.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from billing.backends import billing_backend, billing_enabled
from billing.exceptions import BillingAccountDenied, BillingError, BillingNotConfigured
from billing.models import Account
from billing.plans import Plan, plan_for_account, plan_for_price, plan_get
from billing.selectors import (
    account_customer_email,
    account_may_detach,
    account_may_manage,
    account_seats_used,
)
from tenants.audit import audit_record
from tenants.models import AuditEvent, Tenant

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger("billing")

TERMINAL_STATUSES = {Account.Status.CANCELED, Account.Status.INCOMPLETE_EXPIRED}


def _assert_may_manage(*, account: Account, acting_user: User) -> None:
    if not account_may_manage(account=account, user=acting_user):
        raise BillingAccountDenied(
            "Only the owners and billing admins of the workspace that owns this billing "
            "account can change its plan or payment details."
        )


def _backend_or_refuse() -> Any:
    backend = billing_backend()
    if not backend.is_configured():
        raise BillingNotConfigured()
    return backend


def account_customer_ensure(*, account: Account, tenant: Tenant, acting_user: User) -> str:
    """The account's provider customer id, creating the customer on first use. Stripe
    bills the first billing contact of the account's home workspace.

    The row lock and the per-account idempotency key make two concurrent first
    uses (a double click) end with one customer.
    """
    backend = _backend_or_refuse()
    with transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        if not locked.stripe_customer_id:
            locked.stripe_customer_id = backend.customer_create(
                account_id=locked.pk,
                email=account_customer_email(
                    tenant=locked.home_tenant or tenant, fallback=acting_user
                ),
                name=locked.name,
                idempotency_key=f"pacetrack-customer-account-{locked.pk}",
            )
            locked.save(update_fields=["stripe_customer_id", "updated_at"])
    account.stripe_customer_id = locked.stripe_customer_id
    return locked.stripe_customer_id


def checkout_idempotency_key(*, account: Account, plan: Plan, params: dict[str, Any]) -> str:
    """Deterministic per account and plan change: the same click twice yields the same
    key (and Stripe returns the same session), while a real change of plan, quantity
    or subscription yields a new one. The params hash keeps Stripe from rejecting a
    reused key sent with different parameters."""
    digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:16]
    current = account.stripe_subscription_id or "none"
    return f"pacetrack-checkout-{account.pk}-{account.plan}-to-{plan.key}-{current}-{digest}"


def checkout_start(
    *,
    tenant: Tenant,
    plan_key: str,
    acting_user: User,
    success_url: str,
    cancel_url: str,
) -> str:
    """Start a subscription checkout for the tenant's account; return the provider URL."""
    account = tenant.account
    _assert_may_manage(account=account, acting_user=acting_user)
    backend = _backend_or_refuse()
    plan = plan_get(plan_key)
    if plan is None:
        raise BillingError(f"There is no plan called “{plan_key}”.")
    if not plan.is_purchasable:
        raise BillingError(f"The {plan.name} plan cannot be bought.")
    if account.has_live_subscription:
        # A second checkout would create a second subscription; plan changes happen
        # in the billing portal, which swaps the price on the existing one.
        current = plan_for_account(account)
        raise BillingError(
            f"This account already has a {current.name} subscription. "
            "Use “Manage billing” to change plan."
        )
    customer_id = account_customer_ensure(account=account, tenant=tenant, acting_user=acting_user)
    quantity = max(1, account_seats_used(account=account)) if plan.per_seat else 1
    metadata = {"account_id": str(account.pk), "plan": plan.key}
    params = {
        "customer": customer_id,
        "price": plan.price_id,
        "quantity": quantity,
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    return backend.checkout_session_create(
        customer_id=customer_id,
        price_id=plan.price_id,
        quantity=quantity,
        success_url=success_url,
        cancel_url=cancel_url,
        metadata=metadata,
        idempotency_key=checkout_idempotency_key(account=account, plan=plan, params=params),
    )


def checkout_confirm(*, account: Account, session_id: str, acting_user: User) -> bool:
    """Apply a completed checkout at once on the return page, so the person sees the
    new plan without waiting for the webhook (which applies the same state again).
    Returns whether a subscription was applied."""
    _assert_may_manage(account=account, acting_user=acting_user)
    backend = _backend_or_refuse()
    session = backend.checkout_session_get(session_id=session_id)
    customer = session.get("customer") or ""
    if not account.stripe_customer_id or customer != account.stripe_customer_id:
        raise BillingError("That checkout belongs to another account.")
    subscription_id = session.get("subscription")
    if session.get("status") != "complete" or not subscription_id:
        return False
    subscription = backend.subscription_get(subscription_id=subscription_id)
    return account_subscription_apply(account=account, subscription=subscription, as_of=None)


def portal_start(*, account: Account, return_url: str, acting_user: User) -> str:
    """A billing portal session for the account's customer; return its URL. The portal
    shows invoices and payment methods and can cancel: only for people who control the
    account."""
    _assert_may_manage(account=account, acting_user=acting_user)
    backend = _backend_or_refuse()
    if not account.stripe_customer_id:
        raise BillingError("There are no billing details yet: choose a plan first.")
    return backend.portal_session_create(
        customer_id=account.stripe_customer_id, return_url=return_url
    )


def _timestamp(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), tz=UTC) if value else None


def account_subscription_apply(
    *, account: Account, subscription: dict[str, Any], as_of: datetime | None
) -> bool:
    """Make the account reflect `subscription` as it was at `as_of` (None: just fetched).

    Out-of-order safe: state older than what the account already shows is ignored,
    and a late event about an ended, replaced subscription cannot overwrite the
    current one. Returns whether anything was applied.
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
        account.current_period_end = _timestamp(
            subscription.get("current_period_end") or item.get("current_period_end")
        )
        account.cancel_at_period_end = bool(subscription.get("cancel_at_period_end"))
        account.seats = int(item.get("quantity") or 1)
        account.stripe_state_at = as_of
        account.full_clean()
        previous_plan = Account.objects.values_list("plan", flat=True).get(pk=account.pk)
        account.save()
        if previous_plan != account.plan:
            _audit_plan_change(account=account, before=previous_plan)
    return True


def _audit_plan_change(*, account: Account, before: str) -> None:
    """Every live workspace the account pays for logs the change (the provider is the actor)."""
    for tenant in account.tenants.filter(deleted_at__isnull=True):
        audit_record(
            tenant=tenant,
            action=AuditEvent.Action.PLAN_CHANGED,
            acting_user=None,
            target=account,
            before={"plan": before},
            after={"plan": account.plan, "status": account.status},
        )


def account_tenant_detach(*, tenant: Tenant, acting_user: User | None) -> Account:
    """Stop an account paying for a workspace other than its home: the workspace moves to
    a new Free account of its own, whose home it is. Allowed to whom `account_may_detach`
    allows (`acting_user` None: the system). Logged in the workspace and in the account's
    home; the old account's paid seats follow."""
    with transaction.atomic():
        tenant = Tenant.objects.select_for_update().select_related("account").get(pk=tenant.pk)
        old = tenant.account
        if old.home_tenant_id == tenant.pk:
            raise BillingError("This workspace owns its billing account and cannot leave it.")
        if acting_user is not None and not account_may_detach(tenant=tenant, user=acting_user):
            raise BillingAccountDenied(
                "Only the billing admins of this workspace, or of the workspace that owns "
                "the billing account, can change which account pays for it."
            )
        before = {"billing_account": old.name, "plan": plan_for_account(old).key}
        account = Account.objects.create(name=tenant.name, home_tenant=tenant)
        tenant.account = account
        tenant.save(update_fields=["account", "updated_at"])
        after = {"billing_account": account.name, "plan": plan_for_account(account).key}
        # No home (None) finds nothing: Django reads pk=None as IS NULL.
        home = Tenant.objects.filter(
            pk=old.home_tenant_id,  # type: ignore[misc]
            deleted_at__isnull=True,
        ).first()
        for log in filter(None, (tenant, home)):
            audit_record(
                tenant=log,
                action=AuditEvent.Action.BILLING_DETACHED,
                acting_user=acting_user,
                target=tenant,
                before=before,
                after=after,
            )
        account_seats_sync_enqueue(account_id=old.pk)
    return account


def account_sync(*, account: Account) -> bool:
    """Re-read the account's subscription from the provider and apply it as current.
    Returns False when the customer has no subscription."""
    backend = _backend_or_refuse()
    if account.stripe_subscription_id:
        subscription = backend.subscription_get(subscription_id=account.stripe_subscription_id)
    elif account.stripe_customer_id:
        subscription = backend.subscription_find(customer_id=account.stripe_customer_id)
    else:
        return False
    if subscription is None:
        return False
    return account_subscription_apply(account=account, subscription=subscription, as_of=None)


def account_seats_sync_enqueue(*, account_id: int) -> None:
    """Schedule a seat-count update after the current transaction commits.

    Only per-seat subscriptions are touched; everything else returns at once.
    """
    account = Account.objects.filter(pk=account_id).first()
    if account is None or not account.has_live_subscription or not billing_enabled():
        return
    plan = plan_get(account.plan)
    if plan is None or not plan.per_seat:
        return
    from billing.tasks import account_seats_sync_task

    transaction.on_commit(lambda: account_seats_sync_task.enqueue(account_id, 1))


def account_seats_sync(*, account: Account) -> bool:
    """Set the subscription quantity to the seats in use now (read at run time, so
    tasks that run late or out of order still converge). Returns whether it changed."""
    backend = _backend_or_refuse()
    plan = plan_get(account.plan)
    if not account.has_live_subscription or plan is None or not plan.per_seat:
        return False
    used = max(1, account_seats_used(account=account))
    if used == account.seats:
        return False
    subscription = backend.subscription_quantity_update(
        subscription_id=account.stripe_subscription_id, quantity=used
    )
    account_subscription_apply(account=account, subscription=subscription, as_of=None)
    return True
