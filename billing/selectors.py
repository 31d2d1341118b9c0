"""Reads for billing: who may control an account, seats in use, who gets billing email,
the account of a customer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.models import User
from billing.backends import billing_backend, billing_enabled
from billing.exceptions import BillingError
from billing.managers import billing_manager_tenant_ids
from billing.models import Account
from billing.plans import Feature, Plan, plan_features_gained, plan_for_account, plan_list
from core.ids import id_from_text
from core.members import members_who_can_act, seat_holders
from core.permissions import BILLING_MANAGE

if TYPE_CHECKING:
    from tenants.models import Membership, Tenant


def account_may_manage(*, account: Account, user: User) -> bool:
    """The rule for controlling a billing account (checkout, the portal, letting another
    workspace use it): billing.manage in its home workspace, as of now. A role in a
    workspace the account merely pays for is not enough: that is how a removed billing
    admin kept the portal of their former employer's account."""
    home = account.home_tenant_id
    return home is not None and home in billing_manager_tenant_ids(user=user, tenant_id=home)


def account_list_manageable(*, user: User) -> list[Account]:
    """Every account `account_may_manage` allows the user, by name."""
    homes = billing_manager_tenant_ids(user=user)
    return list(Account.objects.filter(home_tenant_id__in=homes).order_by("name", "pk"))


def account_may_detach(*, tenant: Tenant, user: User) -> bool:
    """Whether the user may move `tenant` off the account that pays for it (onto a Free
    account of its own): whoever manages that account, and the workspace's own billing
    managers (leaving costs them the plan, never the payer anything). The home workspace
    never leaves its own account."""
    account = tenant.account
    if account.home_tenant_id == tenant.pk:
        return False
    return account_may_manage(account=account, user=user) or bool(
        billing_manager_tenant_ids(user=user, tenant_id=tenant.pk)
    )


def account_tenant_list(*, account: Account) -> list[Tenant]:
    """The live workspaces the account pays for besides its home, with `member_count`
    (seat holders)."""
    return list(
        account.tenants.filter(deleted_at__isnull=True)
        # No home (None) excludes nothing: Django reads pk=None as IS NULL.
        .exclude(pk=account.home_tenant_id)  # type: ignore[misc]
        .annotate(member_count=Count("memberships", filter=seat_holders("memberships__")))
        .order_by("name", "pk")
    )


def account_tenant_get(*, account: Account, tenant_id: int) -> Tenant:
    """A live workspace other than its home that the account pays for, or 404."""
    return get_object_or_404(
        account.tenants.filter(deleted_at__isnull=True)
        # No home (None) excludes nothing: Django reads pk=None as IS NULL.
        .exclude(pk=account.home_tenant_id)  # type: ignore[misc]
        .select_related("account"),
        pk=tenant_id,
    )


def tenant_deletion_refusal(*, tenant: Tenant) -> str:
    """Why the workspace may not be deleted yet ("" when it may): it is home to an
    account whose subscription renews. Deleted, nobody could reach its billing pages to
    stop the subscription, and the card would be charged for a workspace that is gone.
    Cancelled (it runs to the period's end), it may go."""
    account = tenant.account
    if account.home_tenant_id != tenant.pk or account.cancel_at_period_end:
        return ""
    if not (billing_enabled() and account.has_live_subscription):
        return ""
    return _(
        "%(name)s pays for the %(plan)s plan, and its subscription renews. Cancel the "
        "subscription on the Billing page first (the plan stays until the end of the "
        "period paid for); then you can delete %(name)s."
    ) % {"name": tenant.name, "plan": plan_for_account(account).name}


def account_seats_used(*, account: Account) -> int:
    """Distinct people holding a seat across every live tenant the account pays for."""
    # Through the users' `memberships` relation: billing sits below tenancy. One
    # filter() call, so every condition is on the same membership.
    return (
        User.objects.filter(
            seat_holders("memberships__"),
            memberships__tenant__account=account,
            memberships__tenant__deleted_at__isnull=True,
        )
        .distinct()
        .count()
    )


def account_quantity_due(*, account: Account, plan: Plan) -> int:
    """The quantity a subscription of the account to `plan` is billed for: the seats in
    use on a per-seat plan, 1 on a flat one (whatever quantity Stripe kept when the
    plan changed)."""
    return max(1, account_seats_used(account=account)) if plan.per_seat else 1


def billing_contact_list(*, tenant: Tenant) -> list[Membership]:
    """The tenant's billing contacts (with their users), primary contact first; not
    those the directory suspended or staff deactivated: a deprovisioned person gets no
    more invoices."""
    return list(
        tenant.memberships.filter(members_who_can_act(), is_billing_contact=True)
        .select_related("user")
        .order_by("-is_primary_contact", "joined_at")
    )


def account_billing_emails(*, account: Account) -> list[str]:
    """Emails of the billing contacts of every live tenant the account pays for (not
    those the directory suspended: one membership must be all three)."""
    emails = (
        User.objects.filter(
            members_who_can_act("memberships__"),
            memberships__tenant__account=account,
            memberships__tenant__deleted_at__isnull=True,
            memberships__is_billing_contact=True,
        )
        .values_list("email", flat=True)
        .distinct()
    )
    return sorted(emails)


def account_billing_manager_emails(*, account: Account) -> list[str]:
    """Who hears about the account when no billing contact can (every one of them was
    deactivated, or none was ever named): the people `account_may_manage` lets act on
    it, billing.manage in its home workspace, not suspended. A failed payment must
    reach someone who can fix it before the plan lapses."""
    if account.home_tenant_id is None:
        return []
    rows = (
        User.objects.filter(
            members_who_can_act("memberships__"),
            memberships__tenant_id=account.home_tenant_id,
            memberships__tenant__deleted_at__isnull=True,
        )
        .values_list("email", "memberships__role__permissions")
        .distinct()
    )
    # Permissions are a JSON list: checked here rather than with a JSON lookup SQLite lacks.
    return sorted({email for email, permissions in rows if BILLING_MANAGE in permissions})


def account_home_has_billing_contact(*, account: Account) -> bool:
    """Whether someone active in the account's home workspace gets its billing email:
    the workspace whose billing managers control the account (`account_may_manage`).
    Contacts of the workspaces it merely pays for cannot change how it pays."""
    return account.home_tenant_id is not None and (
        User.objects.filter(
            members_who_can_act("memberships__"),
            memberships__tenant_id=account.home_tenant_id,
            memberships__tenant__deleted_at__isnull=True,
            memberships__is_billing_contact=True,
        ).exists()
    )


def first_billing_contact_email(*, tenant: Tenant) -> str:
    """The address the provider's own receipts and reminders go to: the tenant's first
    billing contact (the primary contact first); "" when it has none."""
    contacts = billing_contact_list(tenant=tenant)
    return contacts[0].user.email if contacts else ""


def account_customer_email(*, tenant: Tenant, fallback: User) -> str:
    """The email Stripe bills: the tenant's first billing contact, else the acting user."""
    return first_billing_contact_email(tenant=tenant) or fallback.email


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
    if (pk := id_from_text(account_id)) is not None:
        return Account.objects.filter(pk=pk, stripe_customer_id="").first()
    return None


@dataclass(frozen=True)
class UpgradeOffer:
    """A paid plan on the billing page and the features it adds to the workspace's
    plan (the page leaves out those for organisations where seats mean nothing)."""

    plan: Plan
    gains: list[Feature]


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
    upgrade_offers: list[UpgradeOffer]
    # The portal ("Manage billing", invoices): for people who control the account.
    can_manage: bool
    shared_tenant_count: int
    # False when another workspace's account pays for this one.
    is_home: bool
    # Other workspaces this account pays for (shown to the people who control it).
    shared_tenants: list[Tenant]
    # Whether this person may move this workspace onto a Free account of its own.
    can_detach: bool
    # The account's invoices, newest first (people who control the account); None when
    # the provider could not be asked.
    invoices: list[Invoice] | None = None
    # The local backend: "Manage billing" opens our own portal page.
    local_portal: bool = False
    # Days of free trial a checkout starts with now (0: none).
    trial_days: int = 0
    # Seat holders here when more than the plan's member cap (a plan that ended), else None.
    over_member_cap: int | None = None
    # Under a member cap: seat holders here and pending invitations, which the cap counts
    # together (tenants.selectors.tenant_seats_taken; the overview's "5 of 5").
    members_here: int = 0
    invitations_here: int = 0
    # Bytes this workspace stores (every upload, as the storage cap counts them).
    storage_used: int = 0
    # A personal workspace: one person, who is its only possible billing contact.
    personal: bool = False

    @property
    def storage_used_label(self) -> str:
        return filesizeformat(self.storage_used)

    @property
    def over_storage_cap(self) -> bool:
        """More stored than the plan allows (a plan that ended): kept, nothing added."""
        cap = self.plan.max_storage_mb
        return cap is not None and self.storage_used > cap * 1024 * 1024

    @property
    def member_cap_taken(self) -> int:
        return self.members_here + self.invitations_here

    @property
    def member_cap_reached(self) -> bool:
        cap = self.plan.max_members
        return cap is not None and self.member_cap_taken >= cap

    @property
    def shows_seats(self) -> bool:
        """Seats mean something once more than one person could hold one: in an
        organisation, or when a personal workspace's account also pays for some."""
        return not self.personal or self.shared_tenant_count > 1

    @property
    def shows_member_cap(self) -> bool:
        """The page's "Members N of M" row: an organisation on a plan with a member cap."""
        return bool(self.plan.max_members) and not self.personal

    @property
    def members_say_it(self) -> bool:
        """The "Members N of M" row is shown and no per-seat price bills seats: a "Seats
        used" figure beside it would count the same people another way."""
        return self.shows_member_cap and not self.plan.per_seat

    @property
    def shows_contacts(self) -> bool:
        return not self.personal


@dataclass(frozen=True)
class Invoice:
    number: str
    created: datetime | None
    status: str
    amount: str
    # Stripe's hosted page and PDF; empty when the provider gives none (local backend).
    hosted_url: str
    pdf_url: str

    @property
    def status_label(self) -> str:
        """Stripe's invoice status in words ("open" → "Open"); an unknown one as it is."""
        return str(invoice_status_label(self.status))


def invoice_status_label(status: str) -> str:
    labels = {
        "draft": pgettext("invoice status", "Draft"),
        "open": pgettext("invoice status", "Open"),
        "paid": pgettext("invoice status", "Paid"),
        "uncollectible": pgettext("invoice status", "Uncollectible"),
        "void": pgettext("invoice status", "Void"),
    }
    return labels.get(status, status.capitalize())


def invoice_list(*, account: Account, limit: int = 12) -> list[Invoice] | None:
    """The account's invoices from the provider, newest first; None when it cannot be
    asked right now (the page still renders, saying so)."""
    if not account.stripe_customer_id:
        return []
    try:
        rows = billing_backend().invoice_list(customer_id=account.stripe_customer_id, limit=limit)
    except BillingError:
        return None
    return [
        Invoice(
            number=row.get("number") or row["id"],
            created=datetime.fromtimestamp(int(row["created"]), tz=UTC)
            if row.get("created")
            else None,
            status=str(row.get("status") or ""),
            amount=money(row.get("amount_due"), row.get("currency")),
            hosted_url=row.get("hosted_invoice_url") or "",
            pdf_url=row.get("invoice_pdf") or "",
        )
        for row in rows
    ]


def money(amount: Any, currency: Any) -> str:
    """Minor units in the reader's numbers: "1,234.00 USD", in German "1.234,00 USD"
    (every currency we sell in has two decimals)."""
    if amount is None:
        return ""
    value = number_format(Decimal(int(amount)) / 100, decimal_pos=2, force_grouping=True)
    return f"{value} {(currency or '').upper()}".strip()


# `money` worked out when shown: an email renders once per reader's language.
money_when_shown = lazy(money, str)


_STATUS_BADGES: dict[str, str] = {
    Account.Status.ACTIVE: "badge-green",
    Account.Status.TRIALING: "badge-blue",
    Account.Status.PAST_DUE: "badge-amber",
    Account.Status.UNPAID: "badge-red",
    Account.Status.INCOMPLETE: "badge-amber",
}


def billing_overview_get(*, tenant: Tenant, user: User) -> BillingOverview:
    account = tenant.account
    enabled = billing_enabled()
    plan = plan_for_account(account)
    live = enabled and account.has_live_subscription
    seats_used = account_seats_used(account=account)
    seats_paid = account.seats if live and plan.per_seat else None
    controls = account_may_manage(account=account, user=user)
    is_home = account.home_tenant_id == tenant.pk
    members_here = tenant.memberships.filter(seat_holders()).count() if plan.max_members else 0
    # Through the relation (billing sits below tenancy); tests/billing keeps the sum
    # equal to tenants.selectors.tenant_seats_taken.
    invitations_here = tenant.invitations.pending().count() if plan.max_members else 0
    # Every upload, as the storage cap counts them (uploads.selectors.upload_storage_used,
    # a layer above; tests/billing keeps the two equal).
    stored = tenant.uploads.aggregate(total=Sum("size"))["total"] or 0
    return BillingOverview(
        over_member_cap=members_here
        if plan.max_members and members_here > plan.max_members
        else None,
        enabled=enabled,
        account=account,
        plan=plan,
        status_label=str(account.get_status_display()) if live else _("Free plan"),
        status_badge=_STATUS_BADGES.get(account.status, "badge-gray") if live else "badge-gray",
        seats_used=seats_used,
        seats_paid=seats_paid,
        over_seats=seats_paid is not None and seats_used > seats_paid,
        contacts=billing_contact_list(tenant=tenant),
        upgrade_offers=upgrade_offer_list(plan=plan) if controls and not live else [],
        can_manage=enabled and controls and bool(account.stripe_customer_id),
        shared_tenant_count=account.tenants.filter(deleted_at__isnull=True).count(),
        is_home=is_home,
        shared_tenants=account_tenant_list(account=account) if controls and is_home else [],
        can_detach=not is_home and account_may_detach(tenant=tenant, user=user),
        invoices=invoice_list(account=account) if enabled and controls else [],
        local_portal=enabled and billing_backend().has_local_portal,
        trial_days=account_trial_days(account=account),
        personal=tenant.is_personal,
        storage_used=stored,
        members_here=members_here,
        invitations_here=invitations_here,
    )


def upgrade_offer_list(*, plan: Plan) -> list[UpgradeOffer]:
    """The plans one can buy, each with what it adds to `plan`."""
    return [
        UpgradeOffer(plan=offered, gains=plan_features_gained(current=plan, new=offered))
        for offered in plan_list()
        if offered.is_purchasable
    ]


def account_trial_days(*, account: Account) -> int:
    """BILLING_TRIAL_DAYS for an account that never had a subscription, else none: one
    trial per account, not one per cancellation."""
    return 0 if account.stripe_subscription_id else settings.BILLING_TRIAL_DAYS
