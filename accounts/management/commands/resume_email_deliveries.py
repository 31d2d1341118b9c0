"""Queue again the emails whose delivery task was lost (see `email_deliveries_resume`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.mail import email_deliveries_resume


class Command(BaseCommand):
    help = (
        "Queue again every unsent email whose task was lost (a worker killed mid-task, the "
        "database restarting under it). Run it before each worker starts and every few "
        "minutes (deliveries overdue by --stale seconds). Each is queued for its own due "
        "time, and a second task for an email that is not due ends without an attempt, "
        "so running it beside a worker (--all too) spends no attempt twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group()
        which.add_argument(
            "--all",
            action="store_true",
            help="every queued or retrying email, overdue or not",
        )
        which.add_argument(
            "--stale",
            type=int,
            default=300,
            help="seconds overdue before an email is resumed (default: %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["stale"] < 0:
            raise CommandError(f"--stale {options['stale']}: give 0 seconds or more.")
        stale = None if options["all"] else timedelta(seconds=options["stale"])
        count = email_deliveries_resume(stale_after=stale)
        self.stdout.write(f"Queued {count} email(s) again.")
