"""The audit actions the tenancy services write (registered in tenants/apps.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.audit_actions import ValueLabels, moment_said

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class TenantAction(models.TextChoices):
    MEMBER_INVITED = "member.invited", _("Member invited")
    MEMBER_JOINED = "member.joined", _("Member joined")
    MEMBER_REMOVED = "member.removed", _("Member removed")
    MEMBER_LEFT = "member.left", _("Member left")
    # Left because they deleted their account (the log said "Member left" for both).
    MEMBER_ACCOUNT_DELETED = "member.account_deleted", _("Member deleted their account")
    MEMBER_ROLE_CHANGED = "member.role_changed", _("Role changed")
    MEMBER_CONTACT_CHANGED = "member.contact_changed", _("Contact changed")
    MEMBER_SUSPENDED = "member.suspended", _("Member suspended by the directory")
    MEMBER_REACTIVATED = "member.reactivated", _("Member reactivated by the directory")
    ROLE_CREATED = "role.created", _("Role created")
    ROLE_UPDATED = "role.updated", _("Role updated")
    ROLE_DELETED = "role.deleted", _("Role deleted")
    INVITATION_RESENT = "invitation.resent", _("Invitation resent")
    INVITATION_CANCELLED = "invitation.cancelled", _("Invitation cancelled")
    INVITATION_DECLINED = "invitation.declined", _("Invitation declined")
    TEAM_CREATED = "team.created", _("Team created")
    TEAM_UPDATED = "team.updated", _("Team renamed or moved")
    TEAM_DELETED = "team.deleted", _("Team deleted")
    TEAM_MEMBER_ADDED = "team.member_added", _("Added to a team")
    TEAM_MEMBER_REMOVED = "team.member_removed", _("Removed from a team")
    OWNERSHIP_TRANSFERRED = "tenant.ownership_transferred", _("Ownership transferred")
    TENANT_CREATED = "tenant.created", _("Workspace created")
    TENANT_RENAMED = "tenant.renamed", _("Workspace renamed")
    TENANT_SLUG_CHANGED = "tenant.slug_changed", _("Workspace URL changed")
    TENANT_DELETED = "tenant.deleted", _("Workspace deleted")
    TENANT_RESTORED = "tenant.restored", _("Workspace restored")
    LOGO_CHANGED = "tenant.logo_changed", _("Logo changed")
    LOGO_REMOVED = "tenant.logo_removed", _("Logo removed")
    TWO_FACTOR_REQUIRED = "tenant.2fa_required", _("Two-factor authentication required")
    TWO_FACTOR_OPTIONAL = "tenant.2fa_optional", _("Two-factor authentication no longer required")
    MEMBER_TWO_FACTOR_ON = "member.2fa_on", _("Member turned on two-factor authentication")
    MEMBER_TWO_FACTOR_OFF = "member.2fa_off", _("Member's two-factor authentication reset")


class Via(models.TextChoices):
    """What changed a team's members when nobody did it by hand (the `via` key)."""

    SSO_GROUPS = "sso groups", _("Groups from single sign-on")


# Where the audit log's action menu lists each (core/audit_actions.py): the workspace's
# two-factor rule with the other sign-in settings, not with its name and logo.
_MEMBERS = _("Members & roles")
_TEAMS = _("Teams")
_WORKSPACE = _("Workspace")
_SECURITY = _("Security & sign-in")
GROUPS: dict[str, StrOrPromise] = {
    TenantAction.MEMBER_INVITED: _MEMBERS,
    TenantAction.MEMBER_JOINED: _MEMBERS,
    TenantAction.MEMBER_REMOVED: _MEMBERS,
    TenantAction.MEMBER_LEFT: _MEMBERS,
    TenantAction.MEMBER_ACCOUNT_DELETED: _MEMBERS,
    TenantAction.MEMBER_ROLE_CHANGED: _MEMBERS,
    TenantAction.MEMBER_CONTACT_CHANGED: _MEMBERS,
    TenantAction.MEMBER_SUSPENDED: _MEMBERS,
    TenantAction.MEMBER_REACTIVATED: _MEMBERS,
    TenantAction.ROLE_CREATED: _MEMBERS,
    TenantAction.ROLE_UPDATED: _MEMBERS,
    TenantAction.ROLE_DELETED: _MEMBERS,
    TenantAction.INVITATION_RESENT: _MEMBERS,
    TenantAction.INVITATION_CANCELLED: _MEMBERS,
    TenantAction.INVITATION_DECLINED: _MEMBERS,
    TenantAction.OWNERSHIP_TRANSFERRED: _MEMBERS,
    TenantAction.TEAM_CREATED: _TEAMS,
    TenantAction.TEAM_UPDATED: _TEAMS,
    TenantAction.TEAM_DELETED: _TEAMS,
    TenantAction.TEAM_MEMBER_ADDED: _TEAMS,
    TenantAction.TEAM_MEMBER_REMOVED: _TEAMS,
    TenantAction.TENANT_CREATED: _WORKSPACE,
    TenantAction.TENANT_RENAMED: _WORKSPACE,
    TenantAction.TENANT_SLUG_CHANGED: _WORKSPACE,
    TenantAction.TENANT_DELETED: _WORKSPACE,
    TenantAction.TENANT_RESTORED: _WORKSPACE,
    TenantAction.LOGO_CHANGED: _WORKSPACE,
    TenantAction.LOGO_REMOVED: _WORKSPACE,
    TenantAction.TWO_FACTOR_REQUIRED: _SECURITY,
    TenantAction.TWO_FACTOR_OPTIONAL: _SECURITY,
    TenantAction.MEMBER_TWO_FACTOR_ON: _SECURITY,
    TenantAction.MEMBER_TWO_FACTOR_OFF: _SECURITY,
}

DESTRUCTIVE = [
    TenantAction.MEMBER_REMOVED,
    TenantAction.MEMBER_SUSPENDED,
    TenantAction.ROLE_DELETED,
    TenantAction.INVITATION_CANCELLED,
    TenantAction.TEAM_DELETED,
    TenantAction.TENANT_DELETED,
    TenantAction.TWO_FACTOR_OPTIONAL,
    TenantAction.MEMBER_TWO_FACTOR_OFF,
]


# What the audit log page calls the keys of these events' before/after.
FIELDS = {
    "role": _("Role"),
    "teams": _("Teams"),
    "team": _("Team"),
    "name": _("Name"),
    "parent": _("Parent team"),
    "permissions": _("Permissions"),
    "owner": _("Owner"),
    "billing_contact": _("Billing contact"),
    "primary_contact": _("Primary contact"),
    "billing_account": _("Billing account"),
    "paid_by": _("Paid by"),
    "email": _("Email"),
    "expires_at": _("Expires"),
    "deleted_at": _("Deleted"),
    "slug": _("Web address"),
    "deadline": _("Deadline"),
    "grace_days": _("Grace days"),
    "via": _("Through"),
    "invited_by": _("Invited by"),
}

# What the codes under those keys mean.
VALUES: dict[str, ValueLabels] = {
    "via": Via,
    "expires_at": moment_said,
    "deleted_at": moment_said,
    "deadline": moment_said,
}
