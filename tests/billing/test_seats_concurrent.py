"""Two people joining at once leave the subscription billed for both: each join's seat
sync reads the seats in use under the account's lock, so the one that read the older
count cannot reach Stripe last. Needs PostgreSQL (concurrent connections)."""

from __future__ import annotations

import json
import threading
import time
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import stripe
from django.db import connection, connections

from billing.models import Account
from tests.billing.stripe_transport import (
    RecordedRequest,
    RecordedStripeHTTPClient,
    subscription_with,
)
from tests.tenants.factories import OrgFactory, add_member

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent connections need PostgreSQL"
)

SUB = "/v1/subscriptions/sub_1QX9z8y7x6w5v4"


class SlowFirstUpdateStripe(RecordedStripeHTTPClient):
    """Stripe answering a quantity update with that quantity; the first update is held
    until `release` is set (a slow Stripe) and recorded when it lands."""

    def __init__(self) -> None:
        super().__init__()
        self.holding = threading.Event()
        self.release = threading.Event()

    def request(
        self, method: str, url: str, headers: Any, post_data: Any = None, **kwargs: Any
    ) -> tuple[str, int, dict[str, str]]:
        if method.lower() != "post":
            return super().request(method, url, headers, post_data, **kwargs)
        if not self.holding.is_set():
            self.holding.set()
            assert self.release.wait(10)
        params = dict(parse_qsl(post_data or ""))
        path = urlsplit(url).path
        self.requests.append(RecordedRequest("post", path, dict(headers), params))
        body = subscription_with(int(params["items[0][quantity]"]))
        return json.dumps(body), 200, {"request-id": f"req_{len(self.requests)}"}


@pytest.fixture
def slow_stripe(billing_settings: Any, monkeypatch: pytest.MonkeyPatch) -> SlowFirstUpdateStripe:
    client = SlowFirstUpdateStripe()
    client.add("get", SUB, subscription_with(1))
    monkeypatch.setattr(stripe, "default_http_client", client)
    return client


def test_two_people_joining_at_once_are_both_billed(
    transactional_db: None, slow_stripe: SlowFirstUpdateStripe
) -> None:
    org = OrgFactory(name="Acme")
    Account.objects.filter(pk=org.account_id).update(
        plan="pro",
        status="active",
        seats=1,
        stripe_customer_id="cus_QX1a2b3c4d5e6f",
        stripe_subscription_id="sub_1QX9z8y7x6w5v4",
    )
    errors: list[BaseException] = []

    def join() -> None:
        # The membership commits, then its seat sync runs (the in-process task queue).
        try:
            add_member(org)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    first = threading.Thread(target=join)
    first.start()
    assert slow_stripe.holding.wait(10)  # its update (two seats) is on its way to Stripe
    second = threading.Thread(target=join)
    second.start()
    time.sleep(0.5)  # the second sync runs now, or waits for the first
    slow_stripe.release.set()
    first.join()
    second.join()

    assert errors == []
    sent = [r.params["items[0][quantity]"] for r in slow_stripe.calls("post", SUB)]
    assert sent == ["2", "3"]
    assert Account.objects.get(pk=org.account_id).seats == 3
