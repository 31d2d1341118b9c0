"""What the background machinery stores is kept for a while only: an operator found
the task table holding the address typed into every "Forgot password" (account or
not) for good, ~600 scheduled runs a day and every webhook payload, none ever deleted."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from scheduler.jobs import scheduled_runs_prune, task_results_prune
from scheduler.models import ScheduledRun
from tests.accounts.mailtools import db_tasks, run_worker  # noqa: F401 (a fixture)
from tests.tenants.factories import make_team
from webhooks.jobs import deliveries_purge_old
from webhooks.models import Attempt, Delivery
from webhooks.services import endpoint_create

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.usefixtures("db_tasks")
def test_finished_tasks_go_after_a_week_with_the_addresses_they_held() -> None:
    Client().post("/auth/password/forgot/", {"email": "nobody@example.com"})
    run_worker()
    [task] = DBTaskResult.objects.all()
    assert "nobody@example.com" in str(task.args_kwargs) and task.finished_at

    assert task_results_prune() == "Deleted 0 finished task result(s) older than 7 day(s)."
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        Client().post("/auth/password/forgot/", {"email": "later@example.com"})  # queued
        outcome = task_results_prune()

    assert outcome == "Deleted 1 finished task result(s) older than 7 day(s)."
    assert [str(t.args_kwargs) for t in DBTaskResult.objects.all()] == [
        str({"args": ["later@example.com"], "kwargs": {}})
    ]


def test_without_stored_tasks_there_is_nothing_to_prune(db: None) -> None:
    assert task_results_prune().startswith("Tasks are not stored")


def test_scheduled_runs_go_after_thirty_days(db: None) -> None:
    now = timezone.now()
    for days in (31, 29):
        ScheduledRun.objects.create(job="email_resume", task="x", slot=now - timedelta(days=days))

    assert scheduled_runs_prune() == "Deleted 1 scheduled run(s) older than 30 day(s)."
    assert [r.slot for r in ScheduledRun.objects.all()] == [now - timedelta(days=29)]


def test_finished_webhook_deliveries_go_after_thirty_days_pending_ones_stay(
    acme: Any, owner: Any, settings: Any
) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    endpoint_create(
        tenant=acme,
        url="http://127.0.0.1:9/hook",  # nothing listens: each attempt fails
        description="",
        event_types=["team.created"],
        acting_user=owner,
    )
    for name in ("Old", "Failed long ago", "Recent", "Resent, pending"):
        make_team(acme, name)
    old, failed, recent, pending = Delivery.objects.order_by("pk")
    long_ago = timezone.now() - timedelta(days=31)
    Delivery.objects.filter(pk=old.pk).update(status="succeeded", created_at=long_ago)
    Delivery.objects.filter(pk=failed.pk).update(status="failed", created_at=long_ago)
    Delivery.objects.filter(pk=recent.pk).update(status="failed")
    Delivery.objects.filter(pk=pending.pk).update(status="pending", created_at=long_ago)
    assert Attempt.objects.filter(delivery=old).exists()

    outcome = deliveries_purge_old()

    assert outcome == "Deleted 2 finished webhook delivery(ies) older than 30 day(s)."
    assert list(Delivery.objects.order_by("pk")) == [recent, pending]
    assert not Attempt.objects.filter(delivery__in=[old.pk, failed.pk]).exists()
