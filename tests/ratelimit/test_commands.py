"""Operators inspect and clear counters by key."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from api.models import ApiKey
from ratelimit.keys import account_identity
from ratelimit.management.commands.ratelimit_reset import Command as ResetCommand
from ratelimit.management.commands.ratelimit_status import Command as StatusCommand
from ratelimit.services import ratelimit_consume
from tests.api.conftest import make_key


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_status_shows_hits_and_when_a_slot_frees() -> None:
    for _ in range(3):
        ratelimit_consume(tier="auth", identity="203.0.113.7")
    output = run("ratelimit_status", "auth:203.0.113.7")
    assert "rl:{auth:203.0.113.7}" in output
    assert "used:      3 of 5" in output
    assert "remaining: 2" in output
    assert "UTC (in 900s)" in output or "UTC (in 899s)" in output


def test_status_accepts_an_email_for_the_account_key_and_ipv6_addresses() -> None:
    ratelimit_consume(tier="auth-account", identity=account_identity("ann@example.com"))
    assert "used:      1 of 10" in run("ratelimit_status", "auth-account:Ann@Example.com")
    ratelimit_consume(tier="auth", identity="2001:db8:1:2::/64")
    assert "used:      1 of 5" in run("ratelimit_status", "rl:auth:2001:db8:1:2::99")


def test_reset_clears_a_counter() -> None:
    for _ in range(5):
        ratelimit_consume(tier="auth", identity="203.0.113.7")
    assert "rl:{auth:203.0.113.7}." in run("ratelimit_reset", "rl:{auth:203.0.113.7}")
    assert "used:      0 of 5" in run("ratelimit_status", "auth:203.0.113.7")
    assert "nothing to clear" in run("ratelimit_reset", "auth:203.0.113.7")


@pytest.mark.parametrize(
    ("key", "message"),
    [("garbage", "expected TIER:IDENTITY"), ("nope:1.2.3.4", "Unknown tier 'nope'")],
)
def test_bad_keys_are_explained(key: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run("ratelimit_status", key)


def test_an_unreachable_store_is_reported_not_crashed(redis_down: None) -> None:
    with pytest.raises(CommandError, match="store is unavailable"):
        run("ratelimit_reset", "auth:203.0.113.7")


@pytest.mark.django_db
def test_an_api_keys_budget_is_read_and_cleared_by_the_key_its_help_gives(
    acme: Any, owner: Any, client: Any
) -> None:
    """The help's example was `api:42`, which matched nothing: keys count under
    `api:key:<id>`."""
    raw = make_key(acme, owner)
    key_id = ApiKey.objects.get().pk
    client.get("/api/v1/members", headers={"Authorization": f"Bearer {raw}"})

    assert "api:key:42" in StatusCommand.help and "api:key:42" in ResetCommand.help
    assert "used:      1 of" in run("ratelimit_status", f"api:key:{key_id}")
    assert "nothing to clear" not in run("ratelimit_reset", f"api:key:{key_id}")
    assert "used:      0 of" in run("ratelimit_status", f"api:key:{key_id}")
