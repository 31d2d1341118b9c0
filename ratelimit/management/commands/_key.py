"""Shared argument parsing for the ratelimit_* commands."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import CommandError

from ratelimit.keys import parse_key


def tier_and_identity(raw: str) -> tuple[str, str]:
    try:
        tier, identity = parse_key(raw)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    if tier not in settings.RATELIMIT_TIERS:
        known = ", ".join(settings.RATELIMIT_TIERS)
        raise CommandError(f"Unknown tier {tier!r} (known tiers: {known}).")
    return tier, identity
