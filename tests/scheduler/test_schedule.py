"""SCHEDULE entries: parsed strictly, and every process computes the same slots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from scheduler.checks import check_schedule
from scheduler.schedule import ScheduleError, job_parse


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_an_interval_job_runs_at_multiples_of_the_interval_since_the_epoch() -> None:
    job = job_parse("retry", {"task": "x.y", "every": "15m"})

    assert job.slot_at(at("2026-03-01T10:44:59")) == at("2026-03-01T10:30:00")
    assert job.slot_at(at("2026-03-01T10:45:00")) == at("2026-03-01T10:45:00")
    assert job.next_slot_after(at("2026-03-01T10:44:59")) == at("2026-03-01T10:45:00")


def test_a_daily_job_before_its_time_belongs_to_yesterdays_slot() -> None:
    job = job_parse("purge", {"task": "x.y", "at": "03:10"})

    assert job.slot_at(at("2026-03-01T03:09:59")) == at("2026-02-28T03:10:00")
    assert job.slot_at(at("2026-03-01T03:10:00")) == at("2026-03-01T03:10:00")
    assert job.next_slot_after(at("2026-03-01T12:00:00")) == at("2026-03-02T03:10:00")


def test_slots_do_not_depend_on_the_time_zone_of_now() -> None:
    job = job_parse("purge", {"task": "x.y", "at": "03:10"})
    berlin = datetime(2026, 3, 1, 4, 30, tzinfo=UTC).astimezone(ZoneInfo("Europe/Berlin"))

    assert job.slot_at(berlin) == at("2026-03-01T03:10:00")


@pytest.mark.parametrize(
    "conf",
    [
        {"every": "5m"},
        {"task": "x.y"},
        {"task": "x.y", "every": "5m", "at": "03:00"},
        {"task": "x.y", "every": "5 minutes"},
        {"task": "x.y", "every": "0m"},
        {"task": "x.y", "at": "24:00"},
        {"task": "x.y", "at": "3:00"},
        {"task": "x.y", "every": "5m", "kwargs": ["a"]},
    ],
)
def test_malformed_entries_are_refused(conf: dict[str, Any]) -> None:
    with pytest.raises(ScheduleError):
        job_parse("bad", conf)


def test_the_system_check_names_an_unimportable_task(settings: Any) -> None:
    settings.SCHEDULE = {
        "ok": {"task": "tests.scheduler.jobs.record", "every": "1h"},
        "typo": {"task": "tests.scheduler.jobs.no_such_job", "every": "1h"},
        "bad": {"task": "tests.scheduler.jobs.record", "every": "soon"},
    }

    errors = check_schedule()

    assert sorted(e.id for e in errors) == ["scheduler.E002", "scheduler.E003"]
    assert any("no_such_job" in e.msg for e in errors)


def test_the_shipped_schedule_passes_the_check_and_covers_the_periodic_jobs(
    settings: Any,
) -> None:
    assert check_schedule() == []
    assert {
        "sessions_cleanup",
        "deleted_accounts_purge",
        "orphan_uploads",
        "old_invitations",
        "email_bodies",
        "stripe_reconcile",
        "stripe_events_retry",
    } <= set(settings.SCHEDULE)
    assert job_parse("x", settings.SCHEDULE["stripe_events_retry"]).every == timedelta(minutes=5)
