from __future__ import annotations

from typing import Any

from ratelimit.keys import counter_key
from ratelimit.management.commands._key import KeyCommand
from ratelimit.services import ratelimit_reset


class Command(KeyCommand):
    help = (
        "Clear a rate-limit counter so its owner can retry now. "
        "KEY is TIER:IDENTITY, e.g. auth:203.0.113.7, api:key:42 (an API key by id), "
        "auth-account:ann@example.com."
    )

    def handle(self, *args: Any, key: str, **options: Any) -> None:
        tier, identity, existed = self.call(ratelimit_reset, key)
        name = counter_key(tier, identity)
        self.stdout.write(
            f"Cleared {name}." if existed else f"{name} had no hits; nothing to clear."
        )
