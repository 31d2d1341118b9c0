from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from uploads.services import orphan_uploads_cleanup


class Command(BaseCommand):
    help = (
        "Delete stored objects that have no Upload row (e.g. a replaced avatar whose "
        "delete failed). Objects younger than --min-age are kept: they may be in flight."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List the orphans without deleting them."
        )
        parser.add_argument(
            "--min-age",
            type=int,
            default=None,
            help="Only objects older than this many seconds "
            "(default: settings.UPLOADS_ORPHAN_MIN_AGE).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        min_age = options["min_age"]
        if min_age is None:
            min_age = settings.UPLOADS_ORPHAN_MIN_AGE
        if min_age < 0:
            raise CommandError("--min-age must be zero or more seconds.")
        dry_run = options["dry_run"]
        orphans = orphan_uploads_cleanup(min_age=timedelta(seconds=min_age), dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        for key in orphans:
            self.stdout.write(f"{verb} {key}")
        self.stdout.write(self.style.SUCCESS(f"{verb} {len(orphans)} orphaned object(s)."))
