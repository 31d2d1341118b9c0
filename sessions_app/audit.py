"""The audit action the session services write (registered in sessions_app/apps.py)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sessions_app.models import Session

# Where the audit log's action menu lists these (core/audit_actions.py).
GROUP = _("Security & sign-in")


class SessionAction(models.TextChoices):
    REVOKED = "session.revoked", _("Session revoked by an admin")
    # The person's own "Sign out all other devices".
    OTHERS_SIGNED_OUT = "session.others_signed_out", _("Other devices signed out")


# What the audit log page calls the keys of these events' before/after.
FIELDS = {
    "reason": _("Reason"),
    "sessions": _("Sessions"),
}

# What the codes under those keys mean.
VALUES = {
    "reason": Session.RevokedReason,
}
