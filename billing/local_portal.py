"""The local backend's billing portal: what Stripe's portal lets a customer do, plus
what Stripe does on its own (a failed charge, the end of a period), for demos.

Each action changes the subscription or invoice in the local backend and announces it
as a Stripe-shaped event that goes through the webhook's processing
(`billing.webhook_processing`), so the account changes exactly as it would with Stripe.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.backends import billing_backend
from billing.backends.local import LocalBillingBackend
from billing.exceptions import BillingAccountDenied, BillingError
from billing.models import Account
from billing.plans import (
    Plan,
    feature_names_said,
    plan_default,
    plan_features_lost,
    plan_for_price,
    plan_get,
    plan_limits_said,
    plan_list,
)
from billing.selectors import Invoice, account_may_manage, account_seats_used, invoice_list
from core.templatetags.times import day

if TYPE_CHECKING:
    from accounts.models import User

# No seat count to type: a per-seat subscription is billed for the seats in use, set by
# `account_seats_sync` whenever members or the plan change.
ACTIONS = ("cancel", "resume", "change_plan", "fail_payment", "pay", "renew")


def local_backend_or_refuse() -> LocalBillingBackend:
    backend = billing_backend()
    if not isinstance(backend, LocalBillingBackend):
        raise BillingError(_("The local billing portal only exists with the local backend."))
    return backend


def local_subscription_get(*, account: Account) -> dict[str, Any] | None:
    """The account's subscription in the local backend (None before the first checkout)."""
    backend = local_backend_or_refuse()
    if not account.stripe_subscription_id:
        return None
    return backend.subscription_get(subscription_id=account.stripe_subscription_id)


def local_portal_act(
    *,
    account: Account,
    acting_user: User,
    action: str,
    plan_key: str = "",
) -> str:
    """Do one portal action on the account's subscription; returns what happened."""
    backend = local_backend_or_refuse()
    if not account_may_manage(account=account, user=acting_user):
        raise BillingAccountDenied(
            _(
                "Only the owners and billing admins of the workspace that owns this billing "
                "account can change its subscription."
            )
        )
    if action not in ACTIONS:
        raise BillingError(_("Unknown portal action “%(action)s”.") % {"action": action})
    with transaction.atomic():
        # One action at a time per account: the row lock orders them.
        account = Account.objects.select_for_update().get(pk=account.pk)
        subscription = local_subscription_get(account=account)
        if subscription is None or subscription["status"] in ("canceled", "incomplete_expired"):
            raise BillingError(_("There is no subscription to change: choose a plan first."))
        return _ACTIONS[action](
            backend, subscription, plan_key=plan_key, acting_user_id=acting_user.pk
        )


# What a customer does in the portal names them in its event (the audit log's "who");
# what the provider does on its own (a failed charge, a renewal) does not.


def _cancel(
    backend: LocalBillingBackend, sub: dict[str, Any], *, acting_user_id: int, **_rest: Any
) -> str:
    if sub["cancel_at_period_end"]:
        raise BillingError(_("The subscription is already set to end with this period."))
    sub["cancel_at_period_end"] = True
    backend.subscription_update(sub, acting_user_id=acting_user_id)
    return _("The subscription ends with the current period.")


def _resume(
    backend: LocalBillingBackend, sub: dict[str, Any], *, acting_user_id: int, **_rest: Any
) -> str:
    if not sub["cancel_at_period_end"]:
        raise BillingError(_("The subscription is not set to end."))
    sub["cancel_at_period_end"] = False
    backend.subscription_update(sub, acting_user_id=acting_user_id)
    return _("The subscription continues after this period.")


def _change_plan(
    backend: LocalBillingBackend,
    sub: dict[str, Any],
    *,
    plan_key: str,
    acting_user_id: int,
    **_rest: Any,
) -> str:
    plan = plan_get(plan_key)
    if plan is None or not plan.is_purchasable:
        raise BillingError(_("Choose one of the paid plans."))
    item = sub["items"]["data"][0]
    current = plan_for_price(item["price"]["id"])
    if current is not None and current.key == plan.key:
        raise BillingError(_("The subscription is already on %(plan)s.") % {"plan": plan.name})
    item["price"] = backend.price_for(plan.price_id)
    if not plan.per_seat:
        item["quantity"] = 1
    sub["metadata"] = {**sub.get("metadata", {}), "plan": plan.key}
    backend.subscription_update(sub, acting_user_id=acting_user_id)
    return _("The subscription is now on %(plan)s.") % {"plan": plan.name}


def _fail_payment(backend: LocalBillingBackend, sub: dict[str, Any], **_rest: Any) -> str:
    """What Stripe does when a renewal charge fails: an open invoice, the subscription
    past due, and the `invoice.payment_failed` event (which emails billing contacts)."""
    invoice = backend.invoice_create(subscription=sub, paid=False)
    sub["status"] = "past_due"
    backend.subscription_update(sub)
    backend.event_emit("invoice.payment_failed", invoice)
    return _("The payment failed: the subscription is past due and billing contacts were emailed.")


def _pay(backend: LocalBillingBackend, sub: dict[str, Any], **_rest: Any) -> str:
    """The customer fixed their card: open invoices are paid and the subscription is
    active again (`invoice.paid`)."""
    open_invoices = [
        i
        for i in backend.invoice_list(customer_id=sub["customer"], limit=100)
        if i["status"] == "open"
    ]
    if not open_invoices:
        raise BillingError(_("There is no unpaid invoice."))
    for invoice in open_invoices:
        invoice.update(status="paid", amount_paid=invoice["amount_due"], next_payment_attempt=None)
        backend.invoice_update(invoice)
        backend.event_emit("invoice.paid", invoice)
    sub["status"] = "active"
    backend.subscription_update(sub)
    return _("The open invoices are paid and the subscription is active.")


def _renew(backend: LocalBillingBackend, sub: dict[str, Any], **_rest: Any) -> str:
    """Jump to the end of the period: a subscription set to end is canceled
    (`customer.subscription.deleted`), ended now as Stripe's `ended_at` says (the
    period's end is still ahead on the clock); any other renews with a paid invoice."""
    if sub["cancel_at_period_end"]:
        sub["status"] = "canceled"
        sub["ended_at"] = int(timezone.now().timestamp())
        backend.subscription_save(sub)
        backend.event_emit("customer.subscription.deleted", sub)
        return _("The period ended and the subscription was canceled.")
    length = sub["current_period_end"] - sub["current_period_start"]
    sub["current_period_start"] = sub["current_period_end"]
    sub["current_period_end"] = sub["current_period_start"] + (
        length if sub["status"] != "trialing" else 30 * 86400
    )
    sub["status"] = "active"
    sub["trial_end"] = None
    invoice = backend.invoice_create(subscription=sub, paid=True)
    backend.subscription_update(sub)
    backend.event_emit("invoice.paid", invoice)
    return _("The subscription renewed for another period.")


_ACTIONS: dict[str, Callable[..., str]] = {
    "cancel": _cancel,
    "resume": _resume,
    "change_plan": _change_plan,
    "fail_payment": _fail_payment,
    "pay": _pay,
    "renew": _renew,
}


@dataclass(frozen=True)
class PlanMove:
    """A plan the subscription could move to, with what the confirm dialog says first."""

    plan: Plan
    # What the confirm dialog says first: the new price, then what the move takes away.
    warning: str
    # "danger" when the move takes a feature away or lowers a limit, else "primary".
    tone: str = "primary"


@dataclass(frozen=True)
class LocalPortal:
    """What the portal page shows, computed here so the template only displays."""

    plan: Plan | None
    status: str
    # Seats as the billing page counts them (`account_seats_used`, the seat-holder
    # rule), and what a per-seat subscription is billed for (None: a flat plan, whose
    # quantity 1 is not a seat count).
    seats_used: int
    seats_paid: int | None
    period_end: datetime | None
    # When a canceled subscription ended (Stripe's `ended_at`), else None.
    ended_at: datetime | None
    cancel_at_period_end: bool
    trialing: bool
    # Paid plans the subscription could move to.
    other_plans: list[PlanMove]
    has_open_invoice: bool
    invoices: list[Invoice] | None
    # What the confirm dialog says before "Cancel at the end of the period".
    cancel_warning: str

    @property
    def status_label(self) -> str:
        """The subscription's status in words, as the billing page names it."""
        if self.status in Account.Status.values:
            return str(Account.Status(self.status).label)
        return self.status.replace("_", " ").capitalize()

    @property
    def over_seats(self) -> bool:
        return self.seats_paid is not None and self.seats_used > self.seats_paid


def local_portal_view_get(
    *, account: Account, subscription: dict[str, Any] | None
) -> LocalPortal | None:
    if subscription is None:
        return None
    item = subscription["items"]["data"][0]
    current = plan_for_price(item["price"]["id"])
    invoices = invoice_list(account=account)
    period_end = (
        datetime.fromtimestamp(subscription["current_period_end"], tz=UTC)
        if subscription.get("current_period_end")
        else None
    )
    return LocalPortal(
        plan=current,
        status=subscription["status"],
        seats_used=account_seats_used(account=account),
        seats_paid=int(item["quantity"]) if current is not None and current.per_seat else None,
        period_end=period_end,
        ended_at=(
            datetime.fromtimestamp(subscription["ended_at"], tz=UTC)
            if subscription.get("ended_at")
            else None
        ),
        cancel_at_period_end=bool(subscription["cancel_at_period_end"]),
        trialing=subscription["status"] == "trialing",
        other_plans=[
            PlanMove(
                plan=p,
                warning=_move_warning(current=current, new=p),
                tone="danger" if _takes_away(current=current, new=p) else "primary",
            )
            for p in plan_list()
            if p.is_purchasable and (current is None or p.key != current.key)
        ],
        has_open_invoice=any(i.status == "open" for i in invoices or []),
        invoices=invoices,
        cancel_warning=_cancel_warning(current=current, period_end=period_end),
    )


def _move_warning(*, current: Plan | None, new: Plan) -> str:
    """Said before a move: the new plan's price, what it takes away (features of the
    current plan the new one lacks, lower limits in figures), and that it is at once.
    An upgrade asks too: Pro at $12 a member to Business at $299 a month was one click
    with no price in sight."""
    parts = []
    if new.price_label:
        parts.append(_("%(plan)s costs %(price)s.") % {"plan": new.name, "price": new.price_label})
    lost = plan_features_lost(current=current, new=new) if current else []
    limits = plan_limits_said(current=current, new=new) if current else ""
    if lost:
        parts.append(
            _("%(plan)s does not include %(features)s.")
            % {"plan": new.name, "features": feature_names_said(lost)}
        )
    parts += _limits_sentences(plan=new, limits=limits)
    parts.append(_("The change takes effect at once."))
    return " ".join(parts)


def _takes_away(*, current: Plan | None, new: Plan) -> bool:
    """Whether moving to `new` loses a feature or lowers a limit (the warning says which)."""
    if current is None:
        return False
    return bool(
        plan_features_lost(current=current, new=new) or plan_limits_said(current=current, new=new)
    )


def _limits_sentences(*, plan: Plan, limits: str) -> list[str]:
    """The lower limits in figures and what they do to what is already there
    (billing.plans' checks refuse only what is added); none when no limit is lower."""
    if not limits:
        return []
    return [
        _("%(plan)s allows %(limits)s.") % {"plan": plan.name, "limits": limits},
        _(
            "Members and files over a limit are kept, but nothing more can be added until "
            "there is room."
        ),
    ]


def _cancel_warning(*, current: Plan | None, period_end: datetime | None) -> str:
    """What ending the subscription means: the plan stays until the period ends, then
    the default plan applies, without what only the paid plan had and with its limits."""
    free = plan_default()
    lost = plan_features_lost(current=current, new=free) if current is not None else []
    values = {
        "plan": current.name if current is not None else _("Plan"),
        "day": day(period_end) if period_end is not None else _("the end of the period"),
        "free": free.name,
        "features": feature_names_said(lost),
    }
    if lost:
        said = _(
            "%(plan)s stays until %(day)s; then the %(free)s plan applies, which does not "
            "include %(features)s."
        )
    else:
        said = _("%(plan)s stays until %(day)s; then the %(free)s plan applies.")
    limits = plan_limits_said(current=current, new=free) if current is not None else ""
    parts = [said % values, *_limits_sentences(plan=free, limits=limits)]
    parts.append(_("Until then, you can keep the subscription."))
    return " ".join(parts)
