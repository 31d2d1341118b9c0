"""Periodic jobs of tenants, named in settings.SCHEDULE (see `scheduler`)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from tenants.invitations import invitations_purge


def old_invitations_purge() -> str:
    days = settings.TENANTS_INVITATION_RETENTION_DAYS
    count = invitations_purge(older_than=timedelta(days=days))
    return f"Deleted {count} invitation(s) closed or expired over {days} day(s) ago."
