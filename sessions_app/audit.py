"""The audit action the session services write (registered in sessions_app/apps.py)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sessions_app.models import Session


class SessionAction(models.TextChoices):
    REVOKED = "session.revoked", _("Session revoked by an admin")


# What the audit log page calls the keys of these events' before/after.
FIELDS = {
    "reason": _("Reason"),
    "sessions": _("Sessions"),
}

# What the codes under those keys mean.
VALUES = {
    "reason": Session.RevokedReason,
}
