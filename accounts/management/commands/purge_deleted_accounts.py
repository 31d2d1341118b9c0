"""Free the emails of accounts deleted longer ago than the grace period."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.services_lifecycle import accounts_purge_deleted


class Command(BaseCommand):
    help = (
        "Rewrite the email of every account deleted more than ACCOUNTS_DELETION_GRACE_DAYS "
        "ago to a tombstone and clear its name, so the address can sign up again. Run daily."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = accounts_purge_deleted()
        days = settings.ACCOUNTS_DELETION_GRACE_DAYS
        self.stdout.write(f"Freed the email of {count} account(s) deleted over {days} day(s) ago.")
