"""One row per job and slot: the claim that makes a slot run at most once, and the
record of how it went (shown in the admin)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class ScheduledRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    job = models.CharField(max_length=100)
    # The dotted path the job named when it was enqueued.
    task = models.CharField(max_length=200)
    # The scheduled time this run is for (not when it ran).
    slot = models.DateTimeField()
    kwargs = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # host:pid of the scheduler process that claimed the slot.
    claimed_by = models.CharField(max_length=200, blank=True)
    enqueued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # What the job reported ("Deleted 3 sessions"), or its error.
    outcome = models.TextField(blank=True)

    class Meta:
        ordering = ["-slot", "job"]
        constraints = [
            # The at-most-once guarantee: a second scheduler's claim of the same slot
            # fails on this constraint (PostgreSQL and SQLite alike).
            models.UniqueConstraint(fields=["job", "slot"], name="scheduler_run_one_per_slot"),
        ]
        indexes = [models.Index(fields=["job", "-slot"], name="scheduler_run_job_slot")]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M}"
