"""Periodic jobs of billing, named in settings.SCHEDULE and run by the scheduler's task
(`scheduler.tasks.scheduled_run_task`). Each returns the outcome the admin shows."""

from __future__ import annotations

from billing.backends import billing_enabled
from billing.exceptions import BillingError
from billing.reconciliation import accounts_reconcile
from billing.webhook_processing import stripe_events_retry_due


class ReconciliationIncomplete(BillingError):
    """Some accounts could not be reconciled: the run is recorded as failed, with the
    whole report as its outcome."""


def stripe_reconcile() -> str:
    if not billing_enabled():
        return "Billing is not configured: nothing to reconcile."
    results = accounts_reconcile()
    repaired = [r for r in results if r.changes]
    failed = [r for r in results if r.error]
    lines = [
        f"Checked {len(results)} account(s): {len(repaired)} repaired, {len(failed)} failed.",
        *(r.describe() for r in repaired + failed),
    ]
    if failed:
        raise ReconciliationIncomplete("\n".join(lines))
    return "\n".join(lines)


def stripe_events_retry() -> str:
    counts = stripe_events_retry_due()
    total = counts["applied"] + counts["failed"]
    return (
        f"Retried {total} event(s): {counts['applied']} applied, {counts['failed']} failed again."
    )
