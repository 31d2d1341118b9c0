"""Periodic jobs of uploads, named in settings.SCHEDULE (see `scheduler`)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from uploads.services import orphan_uploads_cleanup


def orphan_uploads_delete() -> str:
    min_age = timedelta(seconds=settings.UPLOADS_ORPHAN_MIN_AGE)
    deleted = orphan_uploads_cleanup(min_age=min_age, dry_run=False)
    return f"Deleted {len(deleted)} orphaned object(s)."
