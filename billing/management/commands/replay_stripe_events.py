from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from billing.models import StripeEvent
from billing.webhook_processing import stripe_events_replay


def _since(value: str) -> datetime:
    """ISO date/time ("2025-01-31", "2025-01-31T12:00Z") or a duration ("2h", "3d")."""
    units = {"m": "minutes", "h": "hours", "d": "days"}
    if value[-1:] in units and value[:-1].isdigit():
        return timezone.now() - timedelta(**{units[value[-1]]: int(value[:-1])})
    refusal = CommandError(f"--since {value!r}: use an ISO date/time or a duration like 6h, 2d.")
    try:  # a well-formed impossible date ("2026-13-45") raises instead of giving None
        parsed = parse_datetime(value) or parse_datetime(f"{value}T00:00:00")
    except ValueError:
        raise refusal from None
    if parsed is None:
        raise refusal
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


class Command(BaseCommand):
    help = "Re-process stored, verified Stripe webhook events (stale state is still ignored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", help="Events received since (ISO date/time, or 6h, 2d).")
        parser.add_argument("--event", help="One event id (evt_…), re-applied even if processed.")

    def handle(self, *args: Any, **options: Any) -> None:
        since = _since(options["since"]) if options["since"] else None
        event_id = options["event"]
        if not since and not event_id:
            raise CommandError(
                "Give --since and/or --event (replaying everything is never wanted)."
            )
        if event_id and not StripeEvent.objects.verified().filter(event_id=event_id).exists():
            raise CommandError(f"No verified event {event_id} is stored.")
        results = stripe_events_replay(since=since, event_id=event_id)
        failed = 0
        for event, outcome in results:
            failed += outcome.startswith("error:")
            self.stdout.write(f"{event.event_id} {event.type}: {outcome}")
        self.stdout.write(f"Replayed {len(results)} event(s), {failed} failed.")
        if failed:
            raise CommandError(f"{failed} event(s) failed; see the errors above.")
