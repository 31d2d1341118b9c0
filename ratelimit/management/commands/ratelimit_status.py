from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ratelimit.keys import counter_key
from ratelimit.management.commands._key import KeyCommand
from ratelimit.services import ratelimit_status, tier_rate


class Command(KeyCommand):
    help = (
        "Show a rate-limit counter: hits in the current window and when a slot frees. "
        "KEY is TIER:IDENTITY, e.g. auth:203.0.113.7, api:key:42 (an API key by id), "
        "auth-account:ann@example.com."
    )

    def handle(self, *args: Any, key: str, **options: Any) -> None:
        tier, identity, usage = self.call(ratelimit_status, key)
        used = usage.limit - usage.remaining
        rate = tier_rate(tier)
        self.stdout.write(f"{counter_key(tier, identity)}  ({tier}: {rate.text})")
        self.stdout.write(f"  used:      {used} of {usage.limit}")
        self.stdout.write(f"  remaining: {usage.remaining}")
        if used:
            when = datetime.fromtimestamp(usage.reset_ms / 1000, tz=UTC)
            seconds = max(0, -(-(usage.reset_ms - usage.now_ms) // 1000))
            self.stdout.write(f"  next slot: {when:%Y-%m-%d %H:%M:%S} UTC (in {seconds}s)")
        else:
            self.stdout.write("  next slot: now (no hits in the window)")
