"""Background work: processing webhook events and keeping seat counts in sync.

django-tasks stores each queued task by its dotted path (`billing.tasks.…`), so the
tasks stay in this module. It imports only the worker side (`billing.subscriptions`,
`billing.webhook_processing`); the modules that enqueue (`billing.services`,
`billing.webhooks`) import it, so the imports point one way. A task that must run
again re-enqueues itself here, in its own body.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import default_task_backend, task

from billing.exceptions import BillingProviderError
from billing.models import Account, StripeEvent
from billing.subscriptions import account_customer_email_sync, account_seats_sync
from billing.webhook_processing import stripe_event_process

logger = logging.getLogger("billing")

SEAT_SYNC_MAX_ATTEMPTS = 6


@task()
def stripe_event_process_task(event_pk: int) -> str:
    return stripe_event_process(event=StripeEvent.objects.get(pk=event_pk))


@task()
def account_seats_sync_task(account_id: int, attempt: int = 1) -> bool:
    """Update the subscription quantity. The Stripe client retries transient network
    errors itself; if the provider still fails, retry later with backoff where the
    queue can schedule (the database backend), else leave it to `sync_stripe`."""
    account = Account.objects.filter(pk=account_id).first()
    if account is None:
        return False
    try:
        return account_seats_sync(account=account)
    except BillingProviderError:
        if attempt >= SEAT_SYNC_MAX_ATTEMPTS or not default_task_backend.supports_defer:
            logger.exception("Seat sync for account %s failed (attempt %s)", account_id, attempt)
            raise
        delay = timedelta(minutes=2**attempt)
        account_seats_sync_task.using(run_after=timezone.now() + delay).enqueue(
            account_id, attempt + 1
        )
        logger.warning("Seat sync for account %s failed; retrying in %s", account_id, delay)
        return False


@task()
def account_customer_email_sync_task(account_id: int) -> str:
    """The provider's copy of the billing email, after a contact changed. A failure is
    logged; the next contact change sends it again."""
    account = Account.objects.filter(pk=account_id).select_related("home_tenant").first()
    if account is None:
        return ""
    try:
        return account_customer_email_sync(account=account)
    except BillingProviderError:
        logger.exception("Customer email sync for account %s failed", account_id)
        return ""
