"""The audit actions the tenancy services write (registered in tenants/apps.py)."""

from __future__ import annotations

from django.db import models


class TenantAction(models.TextChoices):
    MEMBER_INVITED = "member.invited", "Member invited"
    MEMBER_JOINED = "member.joined", "Member joined"
    MEMBER_REMOVED = "member.removed", "Member removed"
    MEMBER_LEFT = "member.left", "Member left"
    MEMBER_ROLE_CHANGED = "member.role_changed", "Role changed"
    MEMBER_CONTACT_CHANGED = "member.contact_changed", "Contact changed"
    MEMBER_SUSPENDED = "member.suspended", "Member suspended by the directory"
    MEMBER_REACTIVATED = "member.reactivated", "Member reactivated by the directory"
    ROLE_CREATED = "role.created", "Role created"
    ROLE_UPDATED = "role.updated", "Role updated"
    ROLE_DELETED = "role.deleted", "Role deleted"
    INVITATION_RESENT = "invitation.resent", "Invitation resent"
    INVITATION_CANCELLED = "invitation.cancelled", "Invitation cancelled"
    TEAM_CREATED = "team.created", "Team created"
    TEAM_UPDATED = "team.updated", "Team renamed or moved"
    TEAM_DELETED = "team.deleted", "Team deleted"
    TEAM_MEMBER_ADDED = "team.member_added", "Added to a team"
    TEAM_MEMBER_REMOVED = "team.member_removed", "Removed from a team"
    OWNERSHIP_TRANSFERRED = "tenant.ownership_transferred", "Ownership transferred"
    TENANT_RENAMED = "tenant.renamed", "Workspace renamed"
    TENANT_SLUG_CHANGED = "tenant.slug_changed", "Workspace URL changed"
    TENANT_DELETED = "tenant.deleted", "Workspace deleted"
    LOGO_CHANGED = "tenant.logo_changed", "Logo changed"
    LOGO_REMOVED = "tenant.logo_removed", "Logo removed"
    TWO_FACTOR_REQUIRED = "tenant.2fa_required", "Two-factor authentication required"
    TWO_FACTOR_OPTIONAL = "tenant.2fa_optional", "Two-factor authentication no longer required"
    MEMBER_TWO_FACTOR_ON = "member.2fa_on", "Member turned on two-factor authentication"
    MEMBER_TWO_FACTOR_OFF = "member.2fa_off", "Member's two-factor authentication reset"


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
