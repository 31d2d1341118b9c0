from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from ratelimit.keys import account_identity, counter_key, ip_identity, parse_key
from ratelimit.rates import parse_rate


@pytest.mark.parametrize(
    ("text", "limit", "window_ms"),
    [
        ("5/15m", 5, 900_000),
        ("500/1h", 500, 3_600_000),
        ("10/h", 10, 3_600_000),
        ("3/30s", 3, 30_000),
    ],
)
def test_rates_read_as_written(text: str, limit: int, window_ms: int) -> None:
    rate = parse_rate(text)
    assert (rate.limit, rate.window_ms) == (limit, window_ms)


@pytest.mark.parametrize("text", ["", "5", "5/15x", "0/1m", "five/1m", "5/0m"])
def test_bad_rates_are_refused_with_an_example(text: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="Invalid rate"):
        parse_rate(text)


@pytest.mark.parametrize(
    ("ip", "identity"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2::1", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
    ],
)
def test_ip_identities(ip: str, identity: str) -> None:
    assert ip_identity(ip) == identity


def test_account_identity_is_the_sha256_of_the_lowercased_email() -> None:
    expected = hashlib.sha256(b"ann@example.com").hexdigest()
    assert account_identity("  Ann@Example.COM ") == expected


def test_keys_carry_the_prefix_and_a_hash_tag(settings: Any) -> None:
    settings.RATELIMIT_KEY_PREFIX = "app1:"
    assert counter_key("api", "42") == "app1:rl:{api:42}"
    assert parse_key("app1:rl:{api:42}") == ("api", "42")
