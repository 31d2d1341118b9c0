"""Reads for billing: seats in use, who gets billing email, the account of a customer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from billing.models import Account
from billing.plans import Plan

if TYPE_CHECKING:
    from accounts.models import User
    from tenants.models import Membership, Tenant


def account_seats_used(*, account: Account) -> int:
    """Distinct people across every live tenant the account pays for."""
    from tenants.models import Membership

    return (
        Membership.objects.filter(tenant__account=account, tenant__deleted_at__isnull=True)
        .values("user_id")
        .distinct()
        .count()
    )


def billing_contact_list(*, tenant: Tenant) -> list[Membership]:
    """The tenant's billing contacts (with their users), primary contact first."""
    from tenants.models import Membership

    return list(
        Membership.objects.for_tenant(tenant)
        .filter(is_billing_contact=True)
        .select_related("user")
        .order_by("-is_primary_contact", "joined_at")
    )


def account_billing_emails(*, account: Account) -> list[str]:
    """Emails of the billing contacts of every live tenant the account pays for."""
    from tenants.models import Membership

    emails = (
        Membership.objects.filter(
            tenant__account=account, tenant__deleted_at__isnull=True, is_billing_contact=True
        )
        .values_list("user__email", flat=True)
        .distinct()
    )
    return sorted(emails)


def account_customer_email(*, tenant: Tenant, fallback: User) -> str:
    """The email Stripe bills: the tenant's first billing contact, else the acting user."""
    contacts = billing_contact_list(tenant=tenant)
    return contacts[0].user.email if contacts else fallback.email


def account_for_stripe_object(*, obj: dict) -> Account | None:
    """The account a Stripe object belongs to: by customer id (authoritative), else by
    the `metadata.account_id` we set, but only onto an account with no customer yet."""
    customer = obj.get("customer") or ""
    if isinstance(customer, dict):
        customer = customer.get("id", "")
    if customer:
        account = Account.objects.filter(stripe_customer_id=customer).order_by("pk").first()
        if account is not None:
            return account
    account_id = (obj.get("metadata") or {}).get("account_id") or obj.get("client_reference_id")
    if account_id and str(account_id).isdigit():
        return Account.objects.filter(pk=int(account_id), stripe_customer_id="").first()
    return None


@dataclass(frozen=True)
class BillingOverview:
    """Everything the billing page shows, computed here so the template only displays."""

    enabled: bool
    account: Account
    plan: Plan
    status_label: str
    status_badge: str
    seats_used: int
    seats_paid: int | None
    over_seats: bool
    contacts: list[Membership]
    upgrade_plans: list[Plan]
    can_manage: bool
    shared_tenant_count: int


_STATUS_BADGES = {
    Account.Status.ACTIVE: "badge-green",
    Account.Status.TRIALING: "badge-blue",
    Account.Status.PAST_DUE: "badge-amber",
    Account.Status.UNPAID: "badge-red",
    Account.Status.INCOMPLETE: "badge-amber",
}


def billing_overview_get(*, tenant: Tenant) -> BillingOverview:
    from billing.backends import billing_enabled
    from billing.plans import plan_for_account, plan_list

    account = tenant.account
    enabled = billing_enabled()
    plan = plan_for_account(account)
    live = enabled and account.has_live_subscription
    seats_used = account_seats_used(account=account)
    seats_paid = account.seats if live and plan.per_seat else None
    return BillingOverview(
        enabled=enabled,
        account=account,
        plan=plan,
        status_label=account.get_status_display() if live else "Free plan",
        status_badge=_STATUS_BADGES.get(account.status, "badge-gray") if live else "badge-gray",
        seats_used=seats_used,
        seats_paid=seats_paid,
        over_seats=seats_paid is not None and seats_used > seats_paid,
        contacts=billing_contact_list(tenant=tenant),
        upgrade_plans=[] if live else [p for p in plan_list() if p.is_purchasable],
        can_manage=enabled and bool(account.stripe_customer_id),
        shared_tenant_count=account.tenants.filter(deleted_at__isnull=True).count(),
    )
