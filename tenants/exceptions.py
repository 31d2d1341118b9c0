"""Tenancy rule violations. Messages are shown to people as written.

They subclass Django's exceptions so an uncaught one still maps to the right
status (400 or 403); views show the message in place through `core.errors`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation

from core.exceptions import DomainError


class TenantRuleError(DomainError, BadRequest):
    """The action breaks a tenancy rule; the message says which and what to do."""


class PersonalTenantError(TenantRuleError):
    """Personal workspaces have one member and cannot be deleted or shared."""


class TenantDeleteRefused(TenantRuleError):
    """The workspace cannot be deleted yet (its subscription renews)."""


class TenantRestoreRefused(TenantRuleError):
    """The workspace cannot come back as it is (no owner who can act)."""


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


class DirectoryManagedError(TenantRuleError):
    """A team synced from the organisation's directory changes only there."""


class MemberGoneError(TenantRuleError):
    """The member was removed a moment ago (another tab, the directory, a deletion)."""


class NotAMemberError(TenantRuleError):
    """The user is not a member of this tenant."""


class AlreadyAMemberError(TenantRuleError):
    """The user is already a member of this tenant."""


class OrgCreateLimitError(TenantRuleError):
    """The person created as many organisations as TENANTS_ORG_CREATE_PER_DAY allows."""


class EscalationError(DomainError, PermissionDenied):
    """The acting member tried to grant more than their own role allows."""


class CrossTenantError(SuspiciousOperation):
    """An object from another tenant was passed to a service (a bug or an attack)."""


# --- Invitations (tenants/invitations.py) ----------------------------------------


class InvitationError(TenantRuleError):
    """An invitation cannot be created, sent, cancelled or accepted as asked."""


class InvitationPendingError(InvitationError):
    """The address already has an open invitation; resend it instead."""

    def __init__(self, message: str, *, invitation: Any) -> None:
        super().__init__(message)
        self.invitation = invitation


class InvitationResendTooSoonError(InvitationError):
    """The invitation was emailed moments ago; `retry_after` says in how many seconds
    it may be sent again (the API's Retry-After)."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class InvitationLinkError(InvitationError):
    """The link cannot be used; `reason` picks the page that explains why."""

    reason = "invalid"


class InvitationInvalidError(InvitationLinkError):
    reason = "invalid"


class InvitationExpiredError(InvitationLinkError):
    reason = "expired"


class InvitationCancelledError(InvitationLinkError):
    reason = "cancelled"


class InvitationDeclinedError(InvitationCancelledError):
    """The invitee declined it (a cancellation by the one invited)."""

    reason = "declined"


class InvitationUsedError(InvitationLinkError):
    reason = "used"


class InvitationRevokedError(InvitationLinkError):
    """The inviter can no longer grant this (removed, or lost the permission)."""

    reason = "revoked"


class InvitationEmailMismatchError(InvitationError):
    """The signed-in account's email is not the invited address."""


class InvitationSeatsFullError(InvitationLinkError):
    """The org reached its plan's member cap since the invitation was sent."""

    reason = "full"
