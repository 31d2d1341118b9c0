"""Periodic jobs of sessions_app, named in settings.SCHEDULE (see `scheduler`)."""

from __future__ import annotations

from sessions_app.services import session_cleanup


def sessions_cleanup(days: int = 30) -> str:
    counts = session_cleanup(days=days)
    return (
        f"Deleted {counts['expired']} expired and {counts['revoked']} revoked "
        f"session(s) older than {days} day(s)."
    )
