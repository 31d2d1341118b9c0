"""Refusals of social sign-in, SSO, domains and connections."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import BadRequest, PermissionDenied
from django.utils.translation import gettext

from core.exceptions import DomainError


class SignInRefused(DomainError, BadRequest):
    """The provider's answer cannot sign anyone in (state, nonce, token, email…).
    The message is shown; details go to the security log, never to the page."""


class LinkRefused(DomainError, PermissionDenied):
    """A provider identity may not be linked to, or unlinked from, this account."""


class SsoRequired(DomainError, PermissionDenied):
    """This person's organisation requires signing in through its identity provider."""


class DomainRefused(DomainError, BadRequest):
    """A domain cannot be added or verified (invalid, taken, record missing)."""


class ConnectionRefused(DomainError, BadRequest):
    """The IdP settings cannot be used (discovery failed, not https…).

    Raised with `because` where the reason is kept to be read later, in another
    language: the daily metadata read stores it for the settings page and emails it to
    owners who each read their own language (`reason` is the untranslated text, marked
    with gettext_noop, and its values)."""

    reason: tuple[str, dict[str, Any]] | None = None

    @classmethod
    def because(cls, text: str, **params: Any) -> ConnectionRefused:
        error = cls(reason_said(text, params))
        error.reason = (text, params)
        return error


def reason_said(text: str, params: dict[str, Any]) -> str:
    """A kept reason (`ConnectionRefused.reason`) in the active language."""
    return gettext(text) % params if params else gettext(text)
