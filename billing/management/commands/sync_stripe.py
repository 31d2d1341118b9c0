from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from billing.backends import billing_enabled
from billing.exceptions import BillingError
from billing.models import Account
from billing.subscriptions import account_sync


class Command(BaseCommand):
    help = "Re-read subscriptions from Stripe and fix the local state of billing accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--account", type=int, help="Only this billing account id.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not billing_enabled():
            raise CommandError("Billing is not configured: set STRIPE_SECRET_KEY first.")
        accounts = Account.objects.exclude(stripe_customer_id="").order_by("pk")
        if options["account"] is not None:
            accounts = Account.objects.filter(pk=options["account"])
            if not accounts.exists():
                raise CommandError(f"No billing account with id {options['account']}.")
        failed = 0
        for account in accounts:
            try:
                synced = account_sync(account=account)
            except BillingError as exc:
                failed += 1
                self.stderr.write(f"account {account.pk} ({account}): {exc.message}")
                continue
            account.refresh_from_db()
            state = (
                f"{account.plan}, {account.status or 'no subscription'}, {account.seats} seat(s)"
            )
            self.stdout.write(
                f"account {account.pk} ({account}): {state if synced else 'no subscription'}"
            )
        if failed:
            raise CommandError(f"{failed} account(s) could not be synced.")
