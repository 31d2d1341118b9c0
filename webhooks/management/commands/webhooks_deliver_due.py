"""Send the webhook deliveries whose retry time has come.

The database task queue schedules retries itself; run this from cron when the queue
cannot defer tasks (the immediate backend), or after an outage lost queued tasks.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from webhooks.delivery import deliveries_due, delivery_attempt


class Command(BaseCommand):
    help = "Send the webhook deliveries that are due for a (re)try."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = [d for d in deliveries_due() if delivery_attempt(delivery_id=d) is not None]
        self.stdout.write(f"{len(sent)} webhook deliveries attempted.")
