from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest

from core.admin import ReadOnlyAdmin
from scheduler.models import ScheduledRun


class LatestRunFilter(admin.SimpleListFilter):
    """ "Latest of each job": the last run and outcome of every job on one page."""

    title = "runs"
    parameter_name = "latest"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Latest of each job")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() != "yes":
            return queryset
        newest = ScheduledRun.objects.filter(job=OuterRef("job")).order_by("-slot")
        return queryset.filter(slot=Subquery(newest.values("slot")[:1]))


@admin.register(ScheduledRun)
class ScheduledRunAdmin(ReadOnlyAdmin):
    """Read-only: rows are written by the scheduler and the worker."""

    list_display = ("job", "slot", "status", "started_at", "finished_at", "short_outcome")
    list_filter = (LatestRunFilter, "status", "job")
    search_fields = ("job", "outcome")
    date_hierarchy = "slot"
    readonly_fields = (
        "job",
        "task",
        "slot",
        "kwargs",
        "status",
        "claimed_by",
        "enqueued_at",
        "started_at",
        "finished_at",
        "outcome",
    )

    @admin.display(description="outcome")
    def short_outcome(self, run: ScheduledRun) -> str:
        return run.outcome if len(run.outcome) <= 120 else f"{run.outcome[:119]}…"
