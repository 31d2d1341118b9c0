"""Billing accounts (who pays; one account can pay for several tenants) and the raw
log of every Stripe webhook delivery."""

from __future__ import annotations

from typing import Self

from django.db import models
from django.utils.translation import gettext_lazy as _


class Account(models.Model):
    class Status(models.TextChoices):
        NONE = "", _("No subscription")
        TRIALING = "trialing", _("Trialing")
        ACTIVE = "active", _("Active")
        PAST_DUE = "past_due", _("Past due")
        CANCELED = "canceled", _("Canceled")
        INCOMPLETE = "incomplete", _("Incomplete")
        INCOMPLETE_EXPIRED = "incomplete_expired", _("Incomplete (expired)")
        UNPAID = "unpaid", _("Unpaid")
        PAUSED = "paused", _("Paused")

    name = models.CharField(max_length=200)
    # The workspace that owns the account: only people whose role there includes
    # billing.manage may buy, open the portal, or let another workspace use it. Other
    # workspaces the account pays for never control it. Empty (its owner gone, or an
    # account made in the admin) means nobody does: the rule fails closed.
    home_tenant = models.ForeignKey(
        "tenants.Tenant",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    stripe_customer_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_subscription_id = models.CharField(max_length=255, blank=True, db_index=True)
    plan = models.CharField(max_length=50, default="free")
    status = models.CharField(max_length=32, choices=Status.choices, blank=True, default="")
    current_period_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    # Seats paid for: the subscription's quantity as Stripe last reported it.
    seats = models.PositiveIntegerField(default=1)
    # When the subscription state above was true at Stripe (event `created` or fetch
    # time); older deliveries are ignored so out-of-order webhooks cannot roll it back.
    stripe_state_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name

    @property
    def has_live_subscription(self) -> bool:
        """A subscription that still grants its plan (past_due is a grace period)."""
        return bool(self.stripe_subscription_id) and self.status in LIVE_STATUSES


LIVE_STATUSES = {Account.Status.ACTIVE, Account.Status.TRIALING, Account.Status.PAST_DUE}
# A subscription in these has ended for good: a new one takes its place.
TERMINAL_STATUSES = {Account.Status.CANCELED, Account.Status.INCOMPLETE_EXPIRED}


class StripeEventQuerySet(models.QuerySet):
    def verified(self) -> Self:
        return self.filter(signature_valid=True)

    def unprocessed(self) -> Self:
        return self.verified().filter(processed_at__isnull=True)


class StripeEvent(models.Model):
    """One webhook delivery, stored raw before anything acts on it."""

    # Empty for deliveries whose signature did not verify (their id cannot be trusted).
    event_id = models.CharField(max_length=255, blank=True)
    type = models.CharField(max_length=100, blank=True, db_index=True)
    body = models.TextField()
    signature_valid = models.BooleanField()
    # Why verification failed, or why processing failed (last attempt).
    error = models.TextField(blank=True)
    livemode = models.BooleanField(default=False)
    # When Stripe created the event (from the verified body).
    created_at_stripe = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # When the `stripe_events_retry` job tries a failed event again (backoff); empty
    # once processed or after BILLING_EVENT_MAX_ATTEMPTS.
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # When staff were emailed about this event failing (once per event).
    alerted_at = models.DateTimeField(null=True, blank=True)
    # What processing did, in a few words ("ignored: unknown type", "stale: newer state").
    outcome = models.CharField(max_length=200, blank=True)

    objects = StripeEventQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            # Each verified event id is recorded once: replays find the existing row.
            models.UniqueConstraint(
                fields=["event_id"],
                condition=models.Q(signature_valid=True),
                name="billing_stripeevent_unique_verified_id",
            ),
        ]

    def __str__(self) -> str:
        return self.event_id or f"unverified delivery #{self.pk}"

    @property
    def is_processed(self) -> bool:
        return self.processed_at is not None


class LocalBillingObject(models.Model):
    """The local billing backend's provider state (`billing.backends.local`): customers,
    checkout sessions, subscriptions and invoices as Stripe-shaped JSON, so the state
    survives restarts and `sync_stripe`, replays and reconciliation work under it."""

    class Kind(models.TextChoices):
        CUSTOMER = "customer", "Customer"
        CHECKOUT_SESSION = "checkout.session", "Checkout session"
        SUBSCRIPTION = "subscription", "Subscription"
        INVOICE = "invoice", "Invoice"

    object_id = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    customer_id = models.CharField(max_length=64, blank=True, db_index=True)
    data = models.JSONField()
    # Set on create calls that carry one: the same key returns the same object.
    idempotency_key = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="billing_localobject_unique_idempotency_key",
            ),
        ]

    def __str__(self) -> str:
        return self.object_id
