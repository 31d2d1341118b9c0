from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from billing.backends import billing_backend
from billing.exceptions import BillingError
from billing.models import Account, StripeEvent, StripeEventQuerySet
from billing.subscriptions import account_sync
from billing.webhook_processing import stripe_event_process
from core.admin import StaffAuditMixin

if TYPE_CHECKING:
    from tenants.models import Tenant


def _dashboard_link(object_id: str) -> str:
    if not object_id:
        return "—"
    url = billing_backend().dashboard_url(object_id)
    if not url:
        return object_id
    return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, object_id)


ACCOUNT_FIELDS = (
    "name",
    "home_tenant",
    "plan",
    "status",
    "seats",
    "current_period_end",
    "cancel_at_period_end",
    "stripe_customer_id",
    "customer_link",
    "stripe_subscription_id",
    "subscription_link",
    "stripe_state_at",
    "created_at",
    "updated_at",
)
# What staff may type; everything else is the provider's state or derived, shown only.
ACCOUNT_EDITABLE = ("name", "stripe_customer_id", "stripe_subscription_id")


@admin.register(Account)
class AccountAdmin(StaffAuditMixin, admin.ModelAdmin):
    """The plan and the subscription's state come from the billing provider
    (billing/subscriptions.py writes them, with their audit events and webhooks):
    typed here the plan could be any text, and a hand-set status or seat count lasts
    until the next sync. The home workspace decides who controls the account, so
    moving it would hand the account to another workspace's billing managers. Staff
    may rename an account, fix its Stripe ids and re-read it from Stripe; every
    change is audited."""

    list_display = ["name", "plan", "status", "seats", "current_period_end", "customer_link"]
    list_filter = ["plan", "status", "cancel_at_period_end"]
    search_fields = ["name", "stripe_customer_id", "stripe_subscription_id"]
    fields = ACCOUNT_FIELDS
    readonly_fields = [f for f in ACCOUNT_FIELDS if f not in ACCOUNT_EDITABLE]
    actions = ["sync_from_stripe"]

    def audit_staff(
        self,
        request: HttpRequest,
        obj: Any,
        action: str,
        *,
        tenant: Tenant | None = None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        """In every live workspace the account pays for, as billing's own events are
        (an account without one, just added here, has nobody to tell)."""
        tenants = [tenant] if tenant is not None else obj.tenants.filter(deleted_at__isnull=True)
        for paid_for in tenants:
            super().audit_staff(request, obj, action, tenant=paid_for, before=before, after=after)

    @admin.display(description="Stripe customer")
    def customer_link(self, obj: Account) -> str:
        return _dashboard_link(obj.stripe_customer_id)

    @admin.display(description="Stripe subscription")
    def subscription_link(self, obj: Account) -> str:
        return _dashboard_link(obj.stripe_subscription_id)

    @admin.action(description="Re-read subscription from Stripe", permissions=["change"])
    def sync_from_stripe(self, request: HttpRequest, queryset: QuerySet[Account]) -> None:
        for account in queryset:
            try:
                account_sync(account=account)
            except BillingError as exc:
                self.message_user(request, f"{account}: {exc.message}", messages.ERROR)
        self.message_user(request, "Synced from Stripe.")


class ProcessedFilter(admin.SimpleListFilter):
    title = "processed"
    parameter_name = "processed"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("yes", "Processed"), ("no", "Not processed")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(processed_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(processed_at__isnull=True)
        return queryset


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    """Raw deliveries are evidence: read-only, never edited or deleted here."""

    list_display = [
        "__str__",
        "type",
        "signature_valid",
        "received_at",
        "processed_at",
        "attempts",
        "next_attempt_at",
        "outcome",
        "error",
    ]
    list_filter = [ProcessedFilter, "signature_valid", "type", "livemode"]
    search_fields = ["event_id", "type", "body"]
    date_hierarchy = "received_at"
    readonly_fields = [f.name for f in StripeEvent._meta.fields] + ["event_link"]
    actions = ["reprocess"]

    @admin.display(description="In Stripe")
    def event_link(self, obj: StripeEvent) -> str:
        return _dashboard_link(obj.event_id)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_reprocess_permission(self, request: HttpRequest) -> bool:
        """Rows are read-only, but re-processing changes accounts: it needs the change
        permission on events, not just the right to look at them."""
        return request.user.has_perm("billing.change_stripeevent")

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description="Process selected events again", permissions=["reprocess"])
    def reprocess(self, request: HttpRequest, queryset: StripeEventQuerySet) -> None:
        for event in queryset.verified():
            try:
                outcome = stripe_event_process(event=event, force=True)
            except Exception as exc:  # shown to the operator; also stored on the row
                self.message_user(request, f"{event}: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"{event}: {outcome}")
