"""Two schedulers never run a job twice for one slot: concurrent claims of a slot meet
the (job, slot) unique constraint, and the loser enqueues nothing. Needs PostgreSQL
(real concurrent connections); SQLite serialises writers anyway."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.db import connection, connections
from django_tasks_db.models import DBTaskResult

from scheduler.models import ScheduledRun
from scheduler.services import schedule_tick
from tests.scheduler import jobs

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent connections need PostgreSQL"
)


def test_two_scheduler_threads_with_their_own_connections_claim_each_slot_once(
    transactional_db: None, settings: Any
) -> None:
    names = [f"job{i}" for i in range(40)]
    settings.SCHEDULE = {
        name: {"task": "tests.scheduler.jobs.record", "every": "1h", "kwargs": {"label": name}}
        for name in names
    }
    jobs.CALLS.clear()
    barrier = threading.Barrier(2)
    claimed: dict[str, list[str]] = {}
    errors: list[BaseException] = []

    def scheduler(identity: str) -> None:
        try:
            with time_machine.travel(datetime(2026, 3, 1, 10, 30, tzinfo=UTC), tick=False):
                barrier.wait()
                claimed[identity] = [run.job for run in schedule_tick(claimed_by=identity)]
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scheduler, args=(f"s{i}",)) for i in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(claimed["s1"] + claimed["s2"]) == sorted(names)
    assert Counter(jobs.CALLS) == Counter(names)  # every job ran, none twice
    assert ScheduledRun.objects.count() == len(names)
    assert set(ScheduledRun.objects.values_list("status", flat=True)) == {"succeeded"}
    jobs.CALLS.clear()


def test_two_scheduler_processes_enqueue_each_slot_once(transactional_db: None) -> None:
    """The real command, twice at once, with the durable task queue: one task per slot."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "TASKS_BACKEND": "database", "DEBUG": "true"}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    command = [sys.executable, "manage.py", "scheduler", "--once"]
    processes = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120)[0] for process in processes]

    assert [process.returncode for process in processes] == [0, 0]
    runs = list(ScheduledRun.objects.values_list("job", "slot"))
    assert len(runs) == len(set(runs))
    assert {job for job, _ in runs} == set(settings.SCHEDULE)
    enqueued = sum(output.count("Enqueued ") for output in outputs)
    assert enqueued == len(runs)
    queued = Counter(
        r.args_kwargs["args"][0]
        for r in DBTaskResult.objects.filter(task_path="scheduler.tasks.scheduled_run_task")
    )
    assert sorted(queued) == sorted(ScheduledRun.objects.values_list("pk", flat=True))
    assert set(queued.values()) == {1}
