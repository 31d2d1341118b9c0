"""Stripe, through the official library's `StripeClient`.

Every call has a timeout (STRIPE_TIMEOUT) and a bounded number of network retries
(STRIPE_MAX_NETWORK_RETRIES, with the library's automatic idempotency keys), so a slow
Stripe cannot hold a web worker for the library's default 80 s. Errors reach people as
a short message that says what to do; the detail goes to the `billing` log. The HTTP
transport is the library's: `stripe.default_http_client`, when set, is used, which is
how tests replay recorded responses without touching this code.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

import stripe
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from billing.backends.base import PROVIDER_REFUSED, BaseBillingBackend, subscription_preferred
from billing.exceptions import BillingNotConfigured, BillingProviderError

logger = logging.getLogger("billing")

_OBJECT_PATHS = {"cus_": "customers", "sub_": "subscriptions", "in_": "invoices", "evt_": "events"}

_UNREACHABLE = _(
    "We could not reach our payment provider. Nothing was charged or changed; "
    "please try again in a few minutes."
)
_BUSY = _(
    "Our payment provider is busy right now. Nothing was charged or changed; "
    "please try again in a few minutes."
)


def _friendly(exc: stripe.StripeError) -> str:
    """What a person is told; never Stripe's own text (it can name hosts, ids, prices)."""
    if isinstance(exc, stripe.APIConnectionError):
        return str(_UNREACHABLE)
    if isinstance(exc, stripe.RateLimitError | stripe.APIError):
        return str(_BUSY)
    return str(PROVIDER_REFUSED)


@cache
def _http_client(timeout: float) -> stripe.HTTPClient:
    """The library's default transport with our timeout, one per process (its sessions
    keep connections open per thread)."""
    return stripe.new_default_http_client(timeout=timeout)


class StripeBillingBackend(BaseBillingBackend):
    name = "Stripe"

    def is_configured(self) -> bool:
        return bool(settings.STRIPE_SECRET_KEY)

    def _client(self) -> stripe.StripeClient:
        if not settings.STRIPE_SECRET_KEY:
            raise BillingNotConfigured()
        return stripe.StripeClient(
            settings.STRIPE_SECRET_KEY,
            http_client=stripe.default_http_client or _http_client(settings.STRIPE_TIMEOUT),
            max_network_retries=settings.STRIPE_MAX_NETWORK_RETRIES,
        )

    def _call(self, fn: Any, params: dict[str, Any], options: dict[str, Any] | None = None) -> Any:
        try:
            return fn(params=params, options=options or {})
        except stripe.StripeError as exc:
            # repr: the class, Stripe's message, the HTTP status and the request id.
            logger.warning("Stripe request failed: %r", exc)
            raise BillingProviderError(_friendly(exc)) from exc

    def customer_create(
        self, *, account_id: int, email: str, name: str, idempotency_key: str
    ) -> str:
        customer = self._call(
            self._client().v1.customers.create,
            {"email": email, "name": name, "metadata": {"account_id": str(account_id)}},
            {"idempotency_key": idempotency_key},
        )
        return customer.id

    def customer_email_set(self, *, customer_id: str, email: str) -> None:
        self._call(
            lambda params, options: self._client().v1.customers.update(
                customer_id, params=params, options=options
            ),
            {"email": email},
        )

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
        subscription_data: dict[str, Any] = {"metadata": metadata}
        params: dict[str, Any] = {
            "mode": "subscription",
            "customer": customer_id,
            "line_items": [{"price": price_id, "quantity": quantity}],
            "success_url": success_url,
            "cancel_url": cancel_url,
            "client_reference_id": metadata.get("account_id", ""),
            "metadata": metadata,
            "subscription_data": subscription_data,
            "allow_promotion_codes": settings.BILLING_ALLOW_PROMOTION_CODES,
        }
        if trial_period_days:
            # A trial without a card: Checkout asks for none, and a trial that ends
            # without one cancels the subscription instead of leaving it unpaid.
            subscription_data["trial_period_days"] = trial_period_days
            subscription_data["trial_settings"] = {
                "end_behavior": {"missing_payment_method": "cancel"}
            }
            params["payment_method_collection"] = "if_required"
        session = self._call(
            self._client().v1.checkout.sessions.create,
            params,
            {"idempotency_key": idempotency_key},
        )
        return session.url

    def checkout_session_get(self, *, session_id: str) -> dict[str, Any]:
        client = self._client()
        return self._call(
            lambda params, options: client.v1.checkout.sessions.retrieve(
                session_id, params=params, options=options
            ),
            {},
        ).to_dict()

    def portal_session_create(self, *, customer_id: str, return_url: str) -> str:
        session = self._call(
            self._client().v1.billing_portal.sessions.create,
            {"customer": customer_id, "return_url": return_url},
        )
        return session.url

    def subscription_get(self, *, subscription_id: str) -> dict[str, Any]:
        client = self._client()
        return self._call(
            lambda params, options: client.v1.subscriptions.retrieve(
                subscription_id, params=params, options=options
            ),
            {},
        ).to_dict()

    def subscription_find(self, *, customer_id: str) -> dict[str, Any] | None:
        # Newest first, every status, one page (a customer has a handful at most).
        page = self._call(
            self._client().v1.subscriptions.list,
            {"customer": customer_id, "status": "all", "limit": 100},
        )
        return subscription_preferred(subscription.to_dict() for subscription in page.data)

    def subscription_quantity_update(
        self, *, subscription_id: str, quantity: int
    ) -> dict[str, Any]:
        subscription = self.subscription_get(subscription_id=subscription_id)
        item_id = subscription["items"]["data"][0]["id"]
        client = self._client()
        return self._call(
            lambda params, options: client.v1.subscriptions.update(
                subscription_id, params=params, options=options
            ),
            {
                "items": [{"id": item_id, "quantity": quantity}],
                "proration_behavior": "create_prorations",
            },
        ).to_dict()

    def invoice_list(self, *, customer_id: str, limit: int = 12) -> list[dict[str, Any]]:
        page = self._call(
            self._client().v1.invoices.list, {"customer": customer_id, "limit": limit}
        )
        return [invoice.to_dict() for invoice in page.data]

    def dashboard_url(self, object_id: str) -> str:
        prefix = next((p for p in _OBJECT_PATHS if object_id.startswith(p)), None)
        if prefix is None:
            return ""
        mode = "test/" if settings.STRIPE_SECRET_KEY.startswith(("sk_test", "rk_test")) else ""
        return f"https://dashboard.stripe.com/{mode}{_OBJECT_PATHS[prefix]}/{object_id}"
