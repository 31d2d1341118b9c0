"""The one background task of the scheduler: run a claimed slot's job.

django-tasks stores the task by its dotted path, so it stays here. It imports the
worker side (`scheduler.runs`); `scheduler.services` (the enqueue side) imports it.
"""

from __future__ import annotations

from django_tasks import task

from scheduler.runs import scheduled_run_execute


@task()
def scheduled_run_task(run_id: int) -> str:
    return scheduled_run_execute(run_id=run_id)
