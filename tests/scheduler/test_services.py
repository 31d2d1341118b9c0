"""The scheduler enqueues each due slot once, runs it through a background task and
records how it went; the clock is controlled with time-machine."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine

from scheduler.models import ScheduledRun
from scheduler.services import schedule_next_wake, schedule_tick
from tests.scheduler import jobs

START = datetime(2026, 3, 1, 10, 0, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def schedule(settings: Any) -> Iterator[Any]:
    settings.SCHEDULE = {
        "often": {
            "task": "tests.scheduler.jobs.record",
            "every": "15m",
            "kwargs": {"label": "often"},
        },
        "nightly": {
            "task": "tests.scheduler.jobs.record",
            "at": "03:00",
            "kwargs": {"label": "nightly"},
        },
    }
    jobs.CALLS.clear()
    yield settings
    jobs.CALLS.clear()


def tick(capture: Any) -> list[ScheduledRun]:
    # The immediate task backend runs the job when the claim commits.
    with capture(execute=True):
        return schedule_tick(claimed_by="test")


def test_each_due_job_is_enqueued_once_and_its_outcome_recorded(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(START, tick=False):
        claimed = tick(django_capture_on_commit_callbacks)
        again = tick(django_capture_on_commit_callbacks)

    assert sorted(run.job for run in claimed) == ["nightly", "often"]
    assert again == []
    assert sorted(jobs.CALLS) == ["nightly", "often"]
    runs = {run.job: run for run in ScheduledRun.objects.all()}
    assert runs["often"].slot == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    assert runs["nightly"].slot == datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
    assert runs["often"].status == ScheduledRun.Status.SUCCEEDED
    assert runs["often"].outcome == "recorded often"
    assert runs["often"].started_at and runs["often"].finished_at


def test_the_next_slot_runs_when_its_time_comes_and_not_before(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        tick(django_capture_on_commit_callbacks)
        clock.move_to(datetime(2026, 3, 1, 10, 14, 59, tzinfo=UTC))
        assert tick(django_capture_on_commit_callbacks) == []
        clock.move_to(datetime(2026, 3, 1, 10, 15, tzinfo=UTC))
        assert [run.job for run in tick(django_capture_on_commit_callbacks)] == ["often"]

    assert jobs.CALLS == ["often", "nightly", "often"]


def test_after_downtime_a_job_runs_once_not_once_per_missed_slot(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        tick(django_capture_on_commit_callbacks)
        clock.move_to(datetime(2026, 3, 1, 13, 40, tzinfo=UTC))  # 14 slots of "often" later
        claimed = tick(django_capture_on_commit_callbacks)

    assert [(run.job, run.slot.hour, run.slot.minute) for run in claimed] == [("often", 13, 30)]


def test_a_failing_job_is_recorded_as_failed_with_its_error(
    db: None, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SCHEDULE = {"broken": {"task": "tests.scheduler.jobs.explode", "every": "1h"}}

    with time_machine.travel(START, tick=False):
        tick(django_capture_on_commit_callbacks)

    run = ScheduledRun.objects.get(job="broken")
    assert run.status == ScheduledRun.Status.FAILED
    assert run.outcome == "RuntimeError: the job broke"


def test_a_run_delivered_twice_to_workers_runs_its_job_once(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    from scheduler.tasks import scheduled_run_task

    with time_machine.travel(START, tick=False):
        tick(django_capture_on_commit_callbacks)
    run = ScheduledRun.objects.get(job="often")

    scheduled_run_task.call(run.pk)

    assert jobs.CALLS.count("often") == 1


def test_the_scheduler_sleeps_until_the_next_slot_of_any_job(db: None) -> None:
    assert schedule_next_wake(now=START) == datetime(2026, 3, 1, 10, 15, tzinfo=UTC)


def test_the_admin_lists_the_latest_run_of_each_job(
    staff_client: Any, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        tick(django_capture_on_commit_callbacks)
        clock.move_to(datetime(2026, 3, 1, 10, 15, tzinfo=UTC))
        tick(django_capture_on_commit_callbacks)
    settings.MFA_ADMIN_REQUIRED = False

    response = staff_client.get("/admin/scheduler/scheduledrun/?latest=yes")

    assert response.status_code == 200
    shown = {(run.job, run.slot.minute) for run in response.context["cl"].result_list}
    assert shown == {("often", 15), ("nightly", 0)}
    assert "recorded often" in response.content.decode()
