"""The audit actions of API keys (registered in api/apps.py)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.audit_actions import moment_said

# Where the audit log's action menu lists these (core/audit_actions.py).
GROUP = _("API & webhooks")


class ApiKeyAction(models.TextChoices):
    CREATED = "api_key.created", _("API key created")
    REVOKED = "api_key.revoked", _("API key revoked")


# What the audit log page calls the keys of these events' before/after.
FIELDS = {
    "permissions": _("Permissions"),
    "expires_at": _("Expires"),
}

# What the values under those keys mean.
VALUES = {
    "expires_at": moment_said,
}
