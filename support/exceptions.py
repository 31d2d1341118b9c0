from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core.exceptions import DomainError


class ImpersonationRefused(DomainError, PermissionDenied):
    """Starting a "view as" is not allowed (target, permission, missing reason)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotWhileImpersonating(DomainError, PermissionDenied):
    """A destructive action attempted while staff view the app as someone."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def not_while_impersonating() -> NotWhileImpersonating:
    """The one refusal for everything support may not do as the person (the views of
    `SUPPORT_IMPERSONATION_REFUSED_VIEWS`, and every action that asks the person to
    confirm it's them: staff cannot be them)."""
    return NotWhileImpersonating(
        _(
            "Not while viewing as someone: support cannot delete accounts, transfer "
            "ownership, open billing, change passwords, email or two-factor settings, or "
            "hand out access (invitations, roles, keys, single sign-on, SCIM, webhooks). "
            "Stop viewing as them first."
        )
    )
