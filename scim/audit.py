"""The audit actions of the SCIM directory (registered in scim/apps.py). What the IdP
changes in memberships and teams is logged by the tenancy services as usual."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# Where the audit log's action menu lists these (core/audit_actions.py).
GROUP = _("Single sign-on & directory")


class ScimAction(models.TextChoices):
    TOKEN_CREATED = "scim.token_created", _("SCIM token created")
    TOKEN_ROTATED = "scim.token_rotated", _("SCIM token replaced")
    TOKEN_REVOKED = "scim.token_revoked", _("SCIM provisioning turned off")
    USER_PROVISIONED = "scim.user_provisioned", _("Person provisioned by the directory")
    USER_UPDATED = "scim.user_updated", _("Person updated by the directory")
    USER_DEPROVISIONED = "scim.user_deprovisioned", _("Person deprovisioned by the directory")
    USER_DELETED = "scim.user_deleted", _("Person deleted by the directory")


DESTRUCTIVE = [ScimAction.TOKEN_REVOKED, ScimAction.USER_DEPROVISIONED, ScimAction.USER_DELETED]


# What the audit log page calls the keys of these events' before/after.
FIELDS = {
    "user_name": _("User name"),
    "emails": _("Emails"),
    "external_id": _("External ID"),
    "given_name": _("Given name"),
    "family_name": _("Family name"),
    "display_name": _("Display name"),
    "everywhere": _("In every workspace"),
    "sessions_ended": _("Sessions ended"),
    "token_ends_with": _("Token ending"),
    "email": _("Email"),
}
