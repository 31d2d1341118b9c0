from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from billing.backends import billing_enabled
from billing.models import Account
from billing.reconciliation import accounts_reconcile


class Command(BaseCommand):
    help = (
        "Re-read subscriptions from Stripe, fix the local state of billing accounts and "
        "print what changed (the scheduler's daily reconciliation does the same)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--account", type=int, help="Only this billing account id.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not billing_enabled():
            raise CommandError("Billing is not configured: set STRIPE_SECRET_KEY first.")
        accounts = None
        if options["account"] is not None:
            accounts = Account.objects.filter(pk=options["account"])
            if not accounts.exists():
                raise CommandError(f"No billing account with id {options['account']}.")
        results = accounts_reconcile(accounts=accounts)
        failed = 0
        for result in results:
            if result.error:
                failed += 1
                self.stderr.write(result.describe())
                continue
            account = result.account
            state = (
                f"{account.plan}, {account.status or 'no subscription'}, {account.seats} seat(s)"
            )
            line = (
                f"account {account.pk} ({account}): {state if result.found else 'no subscription'}"
            )
            if result.changes:
                line += " — " + result.describe().split(": ", 1)[1]
            self.stdout.write(line)
        if failed:
            raise CommandError(f"{failed} account(s) could not be synced.")
        if not results:  # said, so an empty run is not mistaken for one that did nothing
            self.stdout.write("No billing account has a Stripe customer: nothing to sync.")
