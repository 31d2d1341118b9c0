from __future__ import annotations

from django.core.exceptions import PermissionDenied

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
