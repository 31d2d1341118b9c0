"""Refusals of the two-factor services; the message is shown as written."""

from __future__ import annotations

from django.core.exceptions import BadRequest, PermissionDenied
from django.utils.translation import ngettext

from core.exceptions import DomainError


class SecondFactorInvalid(DomainError, PermissionDenied):
    """A wrong, malformed or already used code."""


class SecondFactorThrottled(DomainError, PermissionDenied):
    """Too many wrong codes for this account or from this address."""

    def __init__(self, *, minutes: int) -> None:
        self.minutes = minutes
        super().__init__(
            ngettext(
                "Too many wrong codes. For your safety, try again in about %(minutes)s minute.",
                "Too many wrong codes. For your safety, try again in about %(minutes)s minutes.",
                minutes,
            )
            % {"minutes": minutes}
        )


class TwoFactorStateError(DomainError, BadRequest):
    """The action does not fit the account's two-factor state (nothing to remove,
    codes without a method to back up, set-up expired…)."""


class PasskeyRefused(DomainError, PermissionDenied):
    """A passkey answer that does not verify: unknown, someone else's, a wrong origin or
    challenge, a sign count gone down, no user verification."""
