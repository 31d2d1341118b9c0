"""`@rate_limit` and `consume_or_429` for single views."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ratelimit.decorators import consume_or_429

pytestmark = pytest.mark.urls("tests.ratelimit.urls")


def test_rate_limit_decorator_counts_posts_per_ip_for_anonymous_visitors(
    client: Client, settings: Any
) -> None:
    settings.RATELIMIT_TIERS = {**settings.RATELIMIT_TIERS, "email-send": {"rate": "2/1h"}}
    assert client.get("/resend/").status_code == 200  # GET does not count
    first = client.post("/resend/")
    assert first.status_code == 200 and first.headers["X-RateLimit-Remaining"] == "1"
    assert client.post("/resend/").status_code == 200
    refused = client.post("/resend/", HTTP_ACCEPT="application/json")
    assert refused.status_code == 429
    assert refused.json()["error"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) > 0
    assert client.post("/resend/", REMOTE_ADDR="192.0.2.50").status_code == 200


def test_consume_or_429_returns_none_until_the_limit_then_the_429_page(
    rf: Any, settings: Any
) -> None:
    settings.RATELIMIT_TIERS = {**settings.RATELIMIT_TIERS, "email-send": {"rate": "1/1h"}}
    assert consume_or_429(rf.post("/"), tier="email-send", key="user-7") is None
    refused = consume_or_429(rf.post("/"), tier="email-send", key="user-7")
    assert refused is not None and refused.status_code == 429
    assert "Too many requests" in refused.content.decode()
    assert consume_or_429(rf.post("/"), tier="email-send", key="user-8") is None


def test_consume_or_429_names_an_unknown_tier(rf: Any) -> None:
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="Unknown rate-limit tier 'nope'"):
        consume_or_429(rf.post("/"), tier="nope", key="x")
