"""Delete sessions that expired or were revoked long ago."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sessions_app.services import session_cleanup


class Command(BaseCommand):
    help = (
        "Delete session rows expired or revoked more than --days ago (default 30), "
        "--batch-size rows per DELETE (default 1000). Run it daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, days: int, batch_size: int, **options: Any) -> None:
        if days < 0:
            raise CommandError("--days must be 0 or more.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        counts = session_cleanup(days=days, batch_size=batch_size)
        self.stdout.write(
            f"Deleted {counts['expired']} expired and {counts['revoked']} revoked "
            f"session(s) older than {days} day(s)."
        )
