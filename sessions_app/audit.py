"""The audit action the session services write (registered in sessions_app/apps.py)."""

from __future__ import annotations

from django.db import models


class SessionAction(models.TextChoices):
    REVOKED = "session.revoked", "Session revoked by an admin"
