"""Tenancy rule violations. Messages are shown to people as written.

They subclass Django's exceptions so an uncaught one still maps to the right
status (400 or 403); views catch `TenantRuleError` to show the message in place.
"""

from __future__ import annotations

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation


class TenantRuleError(BadRequest):
    """The action breaks a tenancy rule; the message says which and what to do."""


class PersonalTenantError(TenantRuleError):
    """Personal workspaces have one member and cannot be deleted or shared."""


class LastOwnerError(TenantRuleError):
    """The last owner cannot be demoted, removed or leave."""


class PrimaryContactError(TenantRuleError):
    """An org always has exactly one primary contact."""


class BillingContactError(TenantRuleError):
    """An org always has at least one billing contact."""


class RoleInUseError(TenantRuleError):
    """A role still held by members cannot be deleted."""


class BuiltinRoleError(TenantRuleError):
    """Built-in roles cannot be renamed, edited or deleted."""


class TeamCycleError(TenantRuleError):
    """A team cannot be nested inside itself or one of its sub-teams."""


class NotAMemberError(TenantRuleError):
    """The user is not a member of this tenant."""


class AlreadyAMemberError(TenantRuleError):
    """The user is already a member of this tenant."""


class EscalationError(PermissionDenied):
    """The acting member tried to grant more than their own role allows."""


class CrossTenantError(SuspiciousOperation):
    """An object from another tenant was passed to a service (a bug or an attack)."""
