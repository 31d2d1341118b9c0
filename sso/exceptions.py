"""Refusals of social sign-in, SSO, domains and connections."""

from __future__ import annotations

from django.core.exceptions import BadRequest, PermissionDenied

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

    The daily metadata read raises it with `because`: the reason is stored for the
    settings page and emailed to owners, who each read their own language."""


class MetadataRefused(ConnectionRefused):
    """The SAML IdP metadata itself: missing, not valid, not one IdP's (the connection
    form shows it beside the metadata field)."""


class IssuerRefused(ConnectionRefused):
    """The issuer URL itself: not https, or no usable discovery document there (the
    connection form shows it beside the issuer field)."""
