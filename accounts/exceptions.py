"""Errors raised by account workflows and email delivery."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import BadRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


class LastOwnerOfOrgsError(BadRequest):
    """The user is the only owner of these orgs (tenancy says which); `orgs` names them.
    A 400 where no page catches it (the admin's save, refused under the lock)."""

    def __init__(self, orgs: list[Any]) -> None:
        self.orgs = orgs
        names = ", ".join(f"“{t.name}”" for t in orgs)
        super().__init__(
            ngettext(
                "You are the only owner of %(names)s. Transfer ownership or delete it "
                "before deleting your account.",
                "You are the only owner of %(names)s. Transfer ownership or delete them "
                "before deleting your account.",
                len(orgs),
            )
            % {"names": names}
        )


class TokenError(BadRequest):
    """An emailed link that cannot be used; `message` is shown to the person."""

    message: str | Promise = _("This link is not valid. Check that you copied the whole link.")

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)
        if message:
            self.message = message


class TokenInvalid(TokenError):
    message = _(
        "This link is not valid. Check that you copied the whole link, or request a new one."
    )


class TokenExpired(TokenError):
    message = _("This link has expired. Request a new one below.")


class TokenUsed(TokenError):
    # Also a link a newer one replaced or that was withdrawn (`email_tokens_revoke`
    # retires it as used), e.g. an email change cancelled by signing devices out.
    message = _(
        "This link has already been used, was replaced by a newer one, or was cancelled "
        "(signing devices out cancels an email change waiting for its link). Request a new "
        "one if you still need it."
    )


class EmailTaken(BadRequest):
    """The address belongs to another account."""


class PasswordNeeded(BadRequest):
    """An emailed link that proves an address, opened away from the browser that asked
    for it (a sign-up: `accounts.services_signup.signup_same_browser`; a verification:
    away from the account's own session), with no password chosen on its page."""


class ResendTooSoon(BadRequest):
    """A verification email was sent moments ago."""


# --- Delivery -----------------------------------------------------------------


class EmailDeliveryError(Exception):
    """Sending failed; subclasses say whether trying again can help."""


class TransientEmailError(EmailDeliveryError):
    """The provider is down, slow or rate limiting: retry later with backoff."""


class PermanentEmailError(EmailDeliveryError):
    """The provider refused the message (invalid address, bad key): retrying as-is won't help."""
