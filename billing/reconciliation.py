"""Reconciliation: compare each account with its subscription at the provider, repair
drift (a lost webhook, a change made in the Stripe dashboard) and say what changed.

Run daily by the scheduler (`billing.jobs.stripe_reconcile`) and on demand by
`manage.py sync_stripe`. The worker side: it enqueues nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from billing.exceptions import BillingError
from billing.models import Account
from billing.subscriptions import account_seats_sync, account_sync

logger = logging.getLogger("billing")

# What reconciliation compares; `stripe_state_at` moves on every sync and is not drift.
_FIELDS = (
    "stripe_subscription_id",
    "plan",
    "status",
    "seats",
    "cancel_at_period_end",
    "current_period_end",
)


@dataclass
class Reconciliation:
    account: Account
    found: bool = False
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    error: str = ""

    def describe(self) -> str:
        name = f"account {self.account.pk} ({self.account.name})"
        if self.error:
            return f"{name}: error: {self.error}"
        if not self.found:
            return f"{name}: no subscription"
        if not self.changes:
            return f"{name}: in sync"
        diff = ", ".join(
            f"{k} {before!r} → {after!r}" for k, (before, after) in self.changes.items()
        )
        return f"{name}: repaired {diff}"


def _snapshot(account: Account) -> dict[str, Any]:
    return {name: getattr(account, name) for name in _FIELDS}


def account_reconcile(*, account: Account) -> Reconciliation:
    """Re-read the account's subscription, apply it, set its quantity to what the plan
    bills for (the seats in use, or 1 on a flat plan), and report the fields that changed."""
    result = Reconciliation(account=account)
    before = _snapshot(account)
    try:
        result.found = account_sync(account=account)
        account.refresh_from_db()
        # The quantity the provider held, before it is set back to the one due.
        provider_seats = account.seats
        if result.found and account_seats_sync(account=account):
            account.refresh_from_db()
            result.changes["seats"] = (provider_seats, account.seats)
    except BillingError as exc:
        result.error = exc.message
        logger.warning("Reconciling account %s failed: %s", account.pk, exc.message)
        return result
    after = _snapshot(account)
    changed = {k: (before[k], after[k]) for k in _FIELDS if before[k] != after[k]}
    result.changes = changed | result.changes
    if result.changes:
        logger.warning("Reconciliation: %s", result.describe())
    return result


def accounts_reconcile(*, accounts: QuerySet[Account] | None = None) -> list[Reconciliation]:
    """Reconcile every account that has a provider customer (or only `accounts`)."""
    if accounts is None:
        accounts = Account.objects.exclude(stripe_customer_id="")
    return [account_reconcile(account=account) for account in accounts.order_by("pk")]
