"""Periodic jobs of uploads, named in settings.SCHEDULE (see `scheduler`)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from uploads.services import deleted_workspaces_files_purge, orphan_uploads_cleanup


def orphan_uploads_delete() -> str:
    min_age = timedelta(seconds=settings.UPLOADS_ORPHAN_MIN_AGE)
    deleted = orphan_uploads_cleanup(min_age=min_age, dry_run=False)
    return f"Deleted {len(deleted)} orphaned object(s)."


def deleted_workspace_files_delete() -> str:
    days = settings.UPLOADS_DELETED_WORKSPACE_DAYS
    deleted = deleted_workspaces_files_purge(deleted_before=timezone.now() - timedelta(days=days))
    return f"Deleted {deleted} file(s) of workspaces deleted more than {days} days ago."
