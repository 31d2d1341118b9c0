"""What a billing provider must do. Objects come back as plain dicts shaped like
Stripe's API objects (subscription: id, status, customer, items.data[0].price.id,
items.data[0].quantity, current_period_end, cancel_at_period_end, metadata)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

from billing.models import LIVE_STATUSES, TERMINAL_STATUSES

# What a person is told when the provider refuses a request; never the provider's own
# text (it can name hosts, ids, prices), which goes to the `billing` log.
PROVIDER_REFUSED = _(
    "Our payment provider could not process this request. Nothing was charged or changed; "
    "please try again later, and contact support if it keeps happening."
)

# The key of the local backend's events that names the person who acted (a user id),
# read by webhook processing while the local backend is the provider. Stripe's events
# carry no such key: Stripe does not tell who used its portal.
LOCAL_ACTOR_KEY = "pacetrack_acting_user_id"


def subscription_preferred(subscriptions: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """Of a customer's subscriptions, newest first, the one the account should follow:
    the newest that grants its plan (active, trialing, past due), else the newest not
    ended, else the newest. The newest alone can be a checkout abandoned after the one
    the customer pays for (`incomplete_expired`)."""

    def rank(subscription: dict[str, Any]) -> int:
        status = subscription.get("status")
        return 0 if status in LIVE_STATUSES else 2 if status in TERMINAL_STATUSES else 1

    # min() keeps the first of equals: the newest of the best rank.
    return min(subscriptions, key=rank, default=None)


class BaseBillingBackend:
    #: Shown in the admin ("Stripe", "Local").
    name = "base"
    #: The portal is our own page (`billing:local-portal`), not the provider's.
    has_local_portal = False

    def is_configured(self) -> bool:
        """True when the provider can be called (credentials present)."""
        raise NotImplementedError

    def customer_create(
        self, *, account_id: int, email: str, name: str, idempotency_key: str
    ) -> str:
        """Create a customer carrying `account_id` in its metadata; return its id."""
        raise NotImplementedError

    def customer_email_set(self, *, customer_id: str, email: str) -> None:
        """Where the provider sends its own receipts and payment reminders."""
        raise NotImplementedError

    def checkout_session_create(
        self,
        *,
        customer_id: str,
        price_id: str,
        quantity: int,
        success_url: str,
        cancel_url: str,
        metadata: dict[str, str],
        idempotency_key: str,
        trial_period_days: int = 0,
    ) -> str:
        """Start a subscription checkout; return the URL to send the person to.
        The same `idempotency_key` must return the same session (no second subscription).
        With `trial_period_days` the subscription starts trialing and no card is asked."""
        raise NotImplementedError

    def checkout_session_get(self, *, session_id: str) -> dict[str, Any]:
        """The checkout session (status, customer, subscription, metadata)."""
        raise NotImplementedError

    def portal_session_create(self, *, customer_id: str, return_url: str) -> str:
        """A self-service billing portal session; return its URL."""
        raise NotImplementedError

    def subscription_get(self, *, subscription_id: str) -> dict[str, Any]:
        """The subscription as it is now at the provider."""
        raise NotImplementedError

    def subscription_find(self, *, customer_id: str) -> dict[str, Any] | None:
        """The customer's subscription the account should follow, of any status
        (`subscription_preferred`), or None when it has none."""
        raise NotImplementedError

    def subscription_quantity_update(
        self, *, subscription_id: str, quantity: int
    ) -> dict[str, Any]:
        """Set the quantity (seats) of the subscription's one item; return the subscription."""
        raise NotImplementedError

    def invoice_list(self, *, customer_id: str, limit: int = 12) -> list[dict[str, Any]]:
        """The customer's invoices, newest first (id, number, status, amount_due,
        amount_paid, currency, created, hosted_invoice_url, invoice_pdf)."""
        raise NotImplementedError

    def dashboard_url(self, object_id: str) -> str:
        """A link to the object in the provider's dashboard ("" when there is none)."""
        return ""
