"""A billing provider in our own database, for demos and local development (no Stripe
account): `BILLING_BACKEND=billing.backends.local.LocalBillingBackend`.

Objects are Stripe-shaped JSON in `LocalBillingObject` rows, so they survive restarts
and everything that reads the provider (`sync_stripe`, replays, reconciliation) works
unchanged. Checkout completes at once: the "checkout page" is the success URL, whose
session already holds the subscription. Every change is announced as a Stripe-shaped
event that goes through the webhook's own processing (`billing.webhooks`), like
Stripe's. The portal is our page `billing:local-portal` (`billing.local_portal`).
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from billing.backends.base import (
    LOCAL_ACTOR_KEY,
    PROVIDER_REFUSED,
    BaseBillingBackend,
    subscription_preferred,
)
from billing.exceptions import BillingProviderError
from billing.models import Account, LocalBillingObject
from billing.plans import plan_for_price
from billing.webhooks import stripe_event_record_local

logger = logging.getLogger("billing")

Kind = LocalBillingObject.Kind
_PERIOD = timedelta(days=30)


def _now() -> int:
    return int(timezone.now().timestamp())


def _new_id(prefix: str) -> str:
    return f"{prefix}_local_{secrets.token_hex(8)}"


def _price(price_id: str) -> dict[str, Any]:
    """The price object of a plan: its id, amount (cents) and currency from BILLING_PLANS."""
    plan = plan_for_price(price_id)
    conf = settings.BILLING_PLANS.get(plan.key, {}) if plan else {}
    return {
        "id": price_id,
        "object": "price",
        "unit_amount": int(conf.get("unit_amount", 0)),
        "currency": conf.get("currency", "usd"),
    }


class LocalBillingBackend(BaseBillingBackend):
    name = "Local"
    has_local_portal = True

    def is_configured(self) -> bool:
        return True

    # --- storage -------------------------------------------------------------------

    def _get(self, kind: str, object_id: str) -> LocalBillingObject:
        row = LocalBillingObject.objects.filter(kind=kind, object_id=object_id).first()
        if row is None:
            # As Stripe answers an unknown id (a forged or stale ?session_id=).
            logger.warning("Local billing: no such %s: %s", kind, object_id)
            raise BillingProviderError(str(PROVIDER_REFUSED))
        return row

    def _create(
        self, kind: str, prefix: str, data: dict[str, Any], *, customer_id: str = "", key: str = ""
    ) -> dict[str, Any]:
        object_id = _new_id(prefix)
        data = {"id": object_id, "object": kind, "created": _now(), **data}
        LocalBillingObject.objects.create(
            object_id=object_id,
            kind=kind,
            customer_id=customer_id or data.get("customer", ""),
            data=data,
            idempotency_key=key,
        )
        return data

    def _by_key(self, key: str) -> dict[str, Any] | None:
        row = LocalBillingObject.objects.filter(idempotency_key=key).first() if key else None
        return row.data if row else None

    def _save(self, data: dict[str, Any]) -> dict[str, Any]:
        LocalBillingObject.objects.filter(object_id=data["id"]).update(data=data)
        return data

    # --- the provider interface --------------------------------------------------------

    def customer_create(
        self, *, account_id: int, email: str, name: str, idempotency_key: str
    ) -> str:
        if existing := self._by_key(idempotency_key):
            return existing["id"]
        try:
            with transaction.atomic():
                customer = self._create(
                    Kind.CUSTOMER,
                    "cus",
                    {"email": email, "name": name, "metadata": {"account_id": str(account_id)}},
                    key=idempotency_key,
                )
        except IntegrityError:  # a concurrent first use created it
            return self._by_key(idempotency_key)["id"]  # type: ignore[index]
        LocalBillingObject.objects.filter(object_id=customer["id"]).update(
            customer_id=customer["id"]
        )
        return customer["id"]

    def customer_email_set(self, *, customer_id: str, email: str) -> None:
        customer = self._get(Kind.CUSTOMER, customer_id).data
        self._save({**customer, "email": email})

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
        if existing := self._by_key(idempotency_key):
            return existing["url"]
        self._get(Kind.CUSTOMER, customer_id)
        with transaction.atomic():
            now = _now()
            period = timedelta(days=trial_period_days) if trial_period_days else _PERIOD
            subscription = self._create(
                Kind.SUBSCRIPTION,
                "sub",
                {
                    "customer": customer_id,
                    "status": "trialing" if trial_period_days else "active",
                    "cancel_at_period_end": False,
                    "current_period_start": now,
                    "current_period_end": now + int(period.total_seconds()),
                    "trial_end": now + int(period.total_seconds()) if trial_period_days else None,
                    "metadata": dict(metadata),
                    "items": {
                        "object": "list",
                        "data": [
                            {"id": _new_id("si"), "quantity": quantity, "price": _price(price_id)}
                        ],
                    },
                },
            )
            if not trial_period_days:
                self.invoice_create(subscription=subscription, paid=True)
            session_id = _new_id("cs")
            session = {
                "id": session_id,
                "object": "checkout.session",
                "created": now,
                "mode": "subscription",
                "status": "complete",
                "customer": customer_id,
                "subscription": subscription["id"],
                "metadata": dict(metadata),
                "url": success_url.replace("{CHECKOUT_SESSION_ID}", session_id),
            }
            LocalBillingObject.objects.create(
                object_id=session_id,
                kind=Kind.CHECKOUT_SESSION,
                customer_id=customer_id,
                data=session,
                idempotency_key=idempotency_key,
            )
            self.event_emit("checkout.session.completed", session)
        return session["url"]

    def checkout_session_get(self, *, session_id: str) -> dict[str, Any]:
        return dict(self._get(Kind.CHECKOUT_SESSION, session_id).data)

    def portal_session_create(self, *, customer_id: str, return_url: str) -> str:
        """Our own portal page, in the workspace that owns the customer's account (the
        only one whose billing managers may open it)."""
        customer = self._get(Kind.CUSTOMER, customer_id).data
        account = Account.objects.filter(
            pk=int(customer["metadata"]["account_id"]), stripe_customer_id=customer_id
        ).first()
        if account is None or account.home_tenant is None:
            raise BillingProviderError(f"No workspace owns customer {customer_id}.")
        return reverse("billing:local-portal", kwargs={"tenant_slug": account.home_tenant.slug})

    def subscription_get(self, *, subscription_id: str) -> dict[str, Any]:
        return dict(self._get(Kind.SUBSCRIPTION, subscription_id).data)

    def subscription_find(self, *, customer_id: str) -> dict[str, Any] | None:
        rows = LocalBillingObject.objects.filter(
            kind=Kind.SUBSCRIPTION, customer_id=customer_id
        ).order_by("-created_at", "-pk")
        return subscription_preferred(dict(row.data) for row in rows)

    def subscription_quantity_update(
        self, *, subscription_id: str, quantity: int
    ) -> dict[str, Any]:
        subscription = self.subscription_get(subscription_id=subscription_id)
        subscription["items"]["data"][0]["quantity"] = quantity
        return self.subscription_update(subscription)

    def invoice_list(self, *, customer_id: str, limit: int = 12) -> list[dict[str, Any]]:
        rows = LocalBillingObject.objects.filter(kind=Kind.INVOICE, customer_id=customer_id)
        return [row.data for row in rows.order_by("-created_at", "-pk")[:limit]]

    # --- what the local portal needs ---------------------------------------------------

    def subscription_update(
        self, subscription: dict[str, Any], *, acting_user_id: int | None = None
    ) -> dict[str, Any]:
        """Store the changed subscription and announce it, as Stripe does; the event
        names `acting_user_id` when a person changed it in the portal."""
        self._save(subscription)
        self.event_emit(
            "customer.subscription.updated", subscription, acting_user_id=acting_user_id
        )
        return subscription

    def subscription_save(self, subscription: dict[str, Any]) -> dict[str, Any]:
        """Store it without an event (the caller announces it with another type)."""
        return self._save(subscription)

    def price_for(self, price_id: str) -> dict[str, Any]:
        return _price(price_id)

    def invoice_create(self, *, subscription: dict[str, Any], paid: bool) -> dict[str, Any]:
        item = subscription["items"]["data"][0]
        amount = item["price"]["unit_amount"] * int(item["quantity"])
        number = LocalBillingObject.objects.filter(kind=Kind.INVOICE).count() + 1
        return self._create(
            Kind.INVOICE,
            "in",
            {
                "customer": subscription["customer"],
                "subscription": subscription["id"],
                "number": f"LOCAL-{number:04d}",
                "status": "paid" if paid else "open",
                "amount_due": amount,
                "amount_paid": amount if paid else 0,
                "currency": item["price"]["currency"],
                "period_start": subscription["current_period_start"],
                "period_end": subscription["current_period_end"],
                # The local backend renders no documents: no hosted page, no PDF.
                "hosted_invoice_url": None,
                "invoice_pdf": None,
                "next_payment_attempt": None if paid else _now() + 3 * 86400,
            },
        )

    def invoice_update(self, invoice: dict[str, Any]) -> dict[str, Any]:
        return self._save(invoice)

    def event_emit(
        self, event_type: str, obj: dict[str, Any], *, acting_user_id: int | None = None
    ) -> None:
        """A Stripe-shaped event about `obj`, processed like a verified webhook delivery.
        Unlike Stripe's, it can name who acted (`LOCAL_ACTOR_KEY`): the audit log then
        says who, not "System"."""
        event: dict[str, Any] = {
            "id": _new_id("evt"),
            "object": "event",
            "type": event_type,
            "created": _now(),
            "livemode": False,
            "data": {"object": dict(obj)},
        }
        if acting_user_id is not None:
            event[LOCAL_ACTOR_KEY] = acting_user_id
        stripe_event_record_local(event=event)
