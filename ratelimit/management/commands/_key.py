"""What the ratelimit_* commands share: a TIER:IDENTITY argument, checked against the
configured tiers, and one message when the rate-limit store cannot be reached."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ratelimit.exceptions import BackendUnavailable
from ratelimit.keys import parse_key

T = TypeVar("T")


def tier_and_identity(raw: str) -> tuple[str, str]:
    try:
        tier, identity = parse_key(raw)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    if tier not in settings.RATELIMIT_TIERS:
        known = ", ".join(settings.RATELIMIT_TIERS)
        raise CommandError(f"Unknown tier {tier!r} (known tiers: {known}).")
    return tier, identity


class KeyCommand(BaseCommand):
    """A command about one counter, named by its KEY argument."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("key")

    def call(self, service: Callable[..., T], key: str) -> tuple[str, str, T]:
        """Run `service(tier=, identity=)` for KEY; the store being down is a CommandError."""
        tier, identity = tier_and_identity(key)
        try:
            return tier, identity, service(tier=tier, identity=identity)
        except BackendUnavailable as exc:
            raise CommandError(f"The rate-limit store is unavailable: {exc}") from None
