"""Enqueueing a background task with the transaction that asked for it.

Imports no task module, so both the modules that enqueue (`accounts.mail`, the
services) and the task bodies in `accounts.tasks` (which re-enqueue) can use it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction


def task_enqueue_transactional(task: Any, *args: Any, run_after: Any = None) -> None:
    """Enqueue `task` so that it exists only if the current transaction commits.

    The database backend writes its task row in this transaction (atomic with the
    change); other backends (immediate) would run or send it now, so they wait
    for the commit."""
    if run_after is not None:
        task = task.using(run_after=run_after)
    if _backend_is_transactional(task):
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args))


def _backend_is_transactional(task: Any) -> bool:
    # Optional: only the database task backend is transactional.
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task.get_backend(), DatabaseBackend)
