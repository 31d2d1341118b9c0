"""The network edge of Stripe, replaced: a `stripe.HTTPClient` that answers from
recorded JSON responses and keeps every request for assertions. The real `stripe`
library builds the requests, encodes parameters and parses the responses.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import stripe

RESPONSES = Path(__file__).parent / "responses"


def recorded(name: str, **overrides: Any) -> dict[str, Any]:
    """A recorded response body, with top-level fields replaced."""
    body = json.loads((RESPONSES / f"{name}.json").read_text())
    body.update(overrides)
    return body


def subscription_with(quantity: int, *, price: str = "") -> dict[str, Any]:
    """The recorded subscription with another quantity (seats), and another price."""
    sub = recorded("subscription")
    item = sub["items"]["data"][0]
    item["quantity"] = quantity
    if price:
        item["price"]["id"] = price
    return sub


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    params: dict[str, str]


class RecordedStripeHTTPClient(stripe.HTTPClient):
    name = "recorded"

    def __init__(self) -> None:
        super().__init__()
        self.routes: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
        self.requests: list[RecordedRequest] = []

    def add(self, method: str, path: str, body: dict[str, Any], status: int = 200) -> None:
        self.routes[(method.lower(), path)] = (status, body)

    def calls(self, method: str, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method.lower() and r.path == path]

    def request(
        self, method: str, url: str, headers: Any, post_data: Any = None, **kwargs: Any
    ) -> tuple[str, int, dict[str, str]]:
        parts = urlsplit(url)
        params = dict(parse_qsl(post_data or parts.query, keep_blank_values=True))
        self.requests.append(RecordedRequest(method.lower(), parts.path, dict(headers), params))
        status, body = self.routes.get(
            (method.lower(), parts.path),
            (
                404,
                {
                    "error": {
                        "type": "invalid_request_error",
                        "message": f"No recorded response for {method.upper()} {parts.path}",
                    }
                },
            ),
        )
        return json.dumps(body), status, {"request-id": f"req_{len(self.requests)}"}

    def close(self) -> None:
        pass


def sign(payload: str, secret: str, timestamp: int | None = None) -> str:
    """A Stripe-Signature header by Stripe's scheme: v1 = HMAC-SHA256(secret, "t.payload")."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = stripe.WebhookSignature._compute_signature(f"{timestamp}.{payload}", secret)
    return f"t={timestamp},v1={signature}"


def event(
    type: str, obj: dict[str, Any], *, created: int | None = None, id: str | None = None
) -> dict[str, Any]:
    """A webhook event envelope as Stripe sends it."""
    created = int(time.time()) if created is None else created
    return {
        "id": id or f"evt_test_{type.replace('.', '_')}_{created}",
        "object": "event",
        "api_version": "2025-03-31.basil",
        "created": created,
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": type,
    }
