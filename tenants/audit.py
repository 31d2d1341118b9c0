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
    ROLE_CREATED = "role.created", "Role created"
    ROLE_UPDATED = "role.updated", "Role updated"
    ROLE_DELETED = "role.deleted", "Role deleted"
    OWNERSHIP_TRANSFERRED = "tenant.ownership_transferred", "Ownership transferred"
    TENANT_RENAMED = "tenant.renamed", "Workspace renamed"
    TENANT_SLUG_CHANGED = "tenant.slug_changed", "Workspace URL changed"
    TENANT_DELETED = "tenant.deleted", "Workspace deleted"


DESTRUCTIVE = [TenantAction.MEMBER_REMOVED, TenantAction.ROLE_DELETED, TenantAction.TENANT_DELETED]
