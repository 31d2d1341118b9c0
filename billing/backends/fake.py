"""An in-process billing provider for demos and local development (no Stripe account).

Checkout completes at once: the "checkout page" is the success URL, and the session
it names already holds an active subscription, which the success page applies. The
billing portal is the return URL. State is process-local memory; `reset()` clears it.
"""

from __future__ import annotations

import itertools
import time
from typing import Any, ClassVar

from billing.backends.base import BaseBillingBackend
from billing.exceptions import BillingProviderError

_MONTH = 30 * 24 * 3600


class FakeBillingBackend(BaseBillingBackend):
    name = "Fake"

    customers: ClassVar[dict[str, dict[str, Any]]] = {}
    sessions: ClassVar[dict[str, dict[str, Any]]] = {}
    subscriptions: ClassVar[dict[str, dict[str, Any]]] = {}
    _idempotent: ClassVar[dict[str, str]] = {}
    _ids = itertools.count(1)

    @classmethod
    def reset(cls) -> None:
        for store in (cls.customers, cls.sessions, cls.subscriptions, cls._idempotent):
            store.clear()

    def is_configured(self) -> bool:
        return True

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}_fake{next(self._ids)}"

    def customer_create(
        self, *, account_id: int, email: str, name: str, idempotency_key: str
    ) -> str:
        if idempotency_key in self._idempotent:
            return self._idempotent[idempotency_key]
        cid = self._new_id("cus")
        self.customers[cid] = {
            "id": cid,
            "email": email,
            "name": name,
            "metadata": {"account_id": str(account_id)},
        }
        self._idempotent[idempotency_key] = cid
        return cid

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
    ) -> str:
        if idempotency_key in self._idempotent:
            return self.sessions[self._idempotent[idempotency_key]]["url"]
        if customer_id not in self.customers:
            raise BillingProviderError(f"No such customer: {customer_id}.")
        sub_id = self._new_id("sub")
        self.subscriptions[sub_id] = {
            "id": sub_id,
            "object": "subscription",
            "customer": customer_id,
            "status": "active",
            "cancel_at_period_end": False,
            "current_period_end": int(time.time()) + _MONTH,
            "metadata": dict(metadata),
            "items": {
                "data": [
                    {"id": self._new_id("si"), "quantity": quantity, "price": {"id": price_id}}
                ]
            },
        }
        session_id = self._new_id("cs")
        url = success_url.replace("{CHECKOUT_SESSION_ID}", session_id)
        self.sessions[session_id] = {
            "id": session_id,
            "status": "complete",
            "customer": customer_id,
            "subscription": sub_id,
            "metadata": dict(metadata),
            "url": url,
        }
        self._idempotent[idempotency_key] = session_id
        return url

    def checkout_session_get(self, *, session_id: str) -> dict[str, Any]:
        try:
            return dict(self.sessions[session_id])
        except KeyError:
            raise BillingProviderError(f"No such checkout session: {session_id}.") from None

    def portal_session_create(self, *, customer_id: str, return_url: str) -> str:
        if customer_id not in self.customers:
            raise BillingProviderError(f"No such customer: {customer_id}.")
        return return_url

    def subscription_get(self, *, subscription_id: str) -> dict[str, Any]:
        try:
            return dict(self.subscriptions[subscription_id])
        except KeyError:
            raise BillingProviderError(f"No such subscription: {subscription_id}.") from None

    def subscription_find(self, *, customer_id: str) -> dict[str, Any] | None:
        subs = [s for s in self.subscriptions.values() if s["customer"] == customer_id]
        return dict(subs[-1]) if subs else None

    def subscription_quantity_update(
        self, *, subscription_id: str, quantity: int
    ) -> dict[str, Any]:
        sub = self.subscriptions.get(subscription_id)
        if sub is None:
            raise BillingProviderError(f"No such subscription: {subscription_id}.")
        sub["items"]["data"][0]["quantity"] = quantity
        return dict(sub)
