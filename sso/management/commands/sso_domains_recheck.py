from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from sso.services_domains import domains_recheck


class Command(BaseCommand):
    help = (
        "Re-check the TXT record of every verified domain; a domain whose record is gone "
        "loses its verification (audited). Run daily."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        checked, lost = domains_recheck()
        self.stdout.write(f"{checked} domain(s) checked, {lost} lost their verification.")
