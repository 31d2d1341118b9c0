"""Billing actions: customers, checkout, portal, sharing an account, and queueing seat
updates.

Provider calls go through `billing.backends.billing_backend()`; local state changes
only from what the provider says (webhooks, the checkout return, `sync_stripe`).
Checkout and the portal are for people who control the account (`account_may_manage`),
checked on every call. Applying subscription state and setting the seat count (the
work the tasks run) live in `billing.subscriptions`.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from billing.audit import BillingAction
from billing.backends import billing_enabled
from billing.exceptions import BillingAccountDenied, BillingError
from billing.models import Account
from billing.plans import Plan, plan_for_account, plan_get
from billing.selectors import (
    account_customer_email,
    account_may_detach,
    account_may_manage,
    account_quantity_due,
    account_trial_days,
)
from billing.subscriptions import account_subscription_apply, backend_or_refuse
from billing.tasks import account_customer_email_sync_task, account_seats_sync_task
from core.audit import audit_record
from webhooks.events import event_emit

if TYPE_CHECKING:
    from accounts.models import User
    from tenants.models import Tenant


def _assert_may_manage(*, account: Account, acting_user: User) -> None:
    if not account_may_manage(account=account, user=acting_user):
        raise BillingAccountDenied(
            _(
                "Only the owners and billing admins of the workspace that owns this billing "
                "account can change its plan or payment details."
            )
        )


def account_customer_ensure(*, account: Account, tenant: Tenant, acting_user: User) -> str:
    """The account's provider customer id, creating the customer on first use. Stripe
    bills the first billing contact of the account's home workspace.

    The row lock and the per-account idempotency key make two concurrent first
    uses (a double click) end with one customer.
    """
    backend = backend_or_refuse()
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
    backend = backend_or_refuse()
    plan = plan_get(plan_key)
    if plan is None:
        raise BillingError(_("There is no plan called “%(plan)s”.") % {"plan": plan_key})
    if not plan.is_purchasable:
        raise BillingError(_("The %(plan)s plan cannot be bought.") % {"plan": plan.name})
    if account.has_live_subscription:
        # A second checkout would create a second subscription; plan changes happen
        # in the billing portal, which swaps the price on the existing one.
        current = plan_for_account(account)
        raise BillingError(
            _(
                "This account already has a %(plan)s subscription. "
                "Use “Manage billing” to change plan."
            )
            % {"plan": current.name}
        )
    customer_id = account_customer_ensure(account=account, tenant=tenant, acting_user=acting_user)
    quantity = account_quantity_due(account=account, plan=plan)
    metadata = {"account_id": str(account.pk), "plan": plan.key}
    trial_days = account_trial_days(account=account)
    params = {
        "customer": customer_id,
        "price": plan.price_id,
        "quantity": quantity,
        "success_url": success_url,
        "cancel_url": cancel_url,
        "trial_period_days": trial_days,
    }
    url = backend.checkout_session_create(
        customer_id=customer_id,
        price_id=plan.price_id,
        quantity=quantity,
        success_url=success_url,
        cancel_url=cancel_url,
        metadata=metadata,
        idempotency_key=checkout_idempotency_key(account=account, plan=plan, params=params),
        trial_period_days=trial_days,
    )
    audit_record(
        tenant=tenant,
        action=BillingAction.CHECKOUT_STARTED,
        acting_user=acting_user,
        target=account,
        after={"plan": plan.key},
    )
    return url


def checkout_confirm(*, account: Account, session_id: str, acting_user: User) -> bool:
    """Apply a completed checkout at once on the return page, so the person sees the
    new plan without waiting for the webhook (which applies the same state again).
    Returns whether a subscription was applied."""
    _assert_may_manage(account=account, acting_user=acting_user)
    backend = backend_or_refuse()
    session = backend.checkout_session_get(session_id=session_id)
    customer = session.get("customer") or ""
    if not account.stripe_customer_id or customer != account.stripe_customer_id:
        raise BillingError(_("That checkout belongs to another account."))
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
    backend = backend_or_refuse()
    if not account.stripe_customer_id:
        raise BillingError(_("There are no billing details yet: choose a plan first."))
    return backend.portal_session_create(
        customer_id=account.stripe_customer_id, return_url=return_url
    )


def account_tenant_detach(*, tenant: Tenant, acting_user: User | None) -> Account:
    """Stop an account paying for a workspace other than its home: the workspace moves to
    a new Free account of its own, whose home it is. Allowed to whom `account_may_detach`
    allows (`acting_user` None: the system). Logged in the workspace and in the account's
    home; the workspace's integrations hear of its plan change (`subscription.changed`),
    as of any other; the old account's paid seats follow."""
    with transaction.atomic():
        # The tenant's own model: billing sits below tenants and does not import it.
        tenant = (
            type(tenant)
            ._default_manager.select_for_update()
            .select_related("account")
            .get(pk=tenant.pk)
        )
        old = tenant.account
        if old.home_tenant_id == tenant.pk:
            raise BillingError(_("This workspace owns its billing account and cannot leave it."))
        if acting_user is not None and not account_may_detach(tenant=tenant, user=acting_user):
            raise BillingAccountDenied(
                _(
                    "Only the billing admins of this workspace, or of the workspace that owns "
                    "the billing account, can change which account pays for it."
                )
            )
        before = {"billing_account": old.name, "plan": plan_for_account(old).key}
        account = Account.objects.create(name=tenant.name, home_tenant=tenant)
        tenant.account = account
        tenant.save(update_fields=["account", "updated_at"])
        after = {"billing_account": account.name, "plan": plan_for_account(account).key}
        home = old.home_tenant if old.home_tenant_id is not None else None
        if home is not None and home.deleted_at is not None:
            home = None
        for log in filter(None, (tenant, home)):
            audit_record(
                tenant=log,
                action=BillingAction.DETACHED,
                acting_user=acting_user,
                target=tenant,
                before=before,
                after=after,
            )
        if after["plan"] != before["plan"]:
            event_emit(
                tenant_id=tenant.pk,
                type="subscription.changed",
                data={
                    "plan": account.plan,
                    "previous_plan": before["plan"],
                    "status": account.status,
                    "cancel_at_period_end": account.cancel_at_period_end,
                },
            )
        account_seats_sync_enqueue(account_id=old.pk)
    return account


def account_customer_email_sync_enqueue(*, tenant: Tenant) -> None:
    """A billing contact of `tenant` changed: when it is the home workspace of an
    account with a provider customer, send the provider the new address after the
    commit. Stripe's own receipts and reminders would otherwise keep going to whoever
    was the contact when the customer was created, a deprovisioned person included."""
    account = tenant.account
    if account.home_tenant_id != tenant.pk or not account.stripe_customer_id:
        return
    if not billing_enabled():
        return
    transaction.on_commit(lambda: account_customer_email_sync_task.enqueue(account.pk))


def account_seats_sync_enqueue(*, account_id: int) -> None:
    """Schedule a seat-count update after the current transaction commits.

    Only per-seat subscriptions are touched (a flat plan's quantity does not follow
    members; `account_seats_sync` sets it back to 1 when a plan change or reconciliation
    finds it otherwise); everything else returns at once.
    """
    account = Account.objects.filter(pk=account_id).first()
    if account is None or not account.has_live_subscription or not billing_enabled():
        return
    plan = plan_get(account.plan)
    if plan is None or not plan.per_seat:
        return
    transaction.on_commit(lambda: account_seats_sync_task.enqueue(account_id, 1))
