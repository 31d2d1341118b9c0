from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ratelimit.exceptions import BackendUnavailable
from ratelimit.keys import counter_key
from ratelimit.management.commands._key import tier_and_identity
from ratelimit.services import ratelimit_reset


class Command(BaseCommand):
    help = (
        "Clear a rate-limit counter so its owner can retry now. "
        "KEY is TIER:IDENTITY, e.g. auth:203.0.113.7, api:42, auth-account:ann@example.com."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("key")

    def handle(self, *args: Any, key: str, **options: Any) -> None:
        tier, identity = tier_and_identity(key)
        try:
            existed = ratelimit_reset(tier=tier, identity=identity)
        except BackendUnavailable as exc:
            raise CommandError(f"The rate-limit store is unavailable: {exc}") from None
        name = counter_key(tier, identity)
        self.stdout.write(
            f"Cleared {name}." if existed else f"{name} had no hits; nothing to clear."
        )
