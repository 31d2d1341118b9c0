"""The audit actions of the SCIM directory (registered in scim/apps.py). What the IdP
changes in memberships and teams is logged by the tenancy services as usual."""

from __future__ import annotations

from django.db import models


class ScimAction(models.TextChoices):
    TOKEN_CREATED = "scim.token_created", "SCIM token created"
    TOKEN_ROTATED = "scim.token_rotated", "SCIM token replaced"
    TOKEN_REVOKED = "scim.token_revoked", "SCIM provisioning turned off"
    USER_PROVISIONED = "scim.user_provisioned", "Person provisioned by the directory"
    USER_UPDATED = "scim.user_updated", "Person updated by the directory"
    USER_DEPROVISIONED = "scim.user_deprovisioned", "Person deprovisioned by the directory"
    USER_DELETED = "scim.user_deleted", "Person deleted by the directory"


DESTRUCTIVE = [ScimAction.TOKEN_REVOKED, ScimAction.USER_DEPROVISIONED, ScimAction.USER_DELETED]
