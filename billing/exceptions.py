"""Billing errors. Each maps to an HTTP status through its Django base class."""

from __future__ import annotations

from django.core.exceptions import BadRequest, PermissionDenied
from django.utils.translation import gettext as _

from core.exceptions import DomainError


class PlanLimitReached(DomainError, PermissionDenied):
    """The tenant's plan does not allow this (a feature it lacks or a cap it hit).

    `message` is shown to people as-is and ends with what to do; `upgrade_url` is the
    tenant's billing page, or "" while billing is off (nothing to buy).
    `billing.middleware.PlanLimitMiddleware` renders it as a 403 page with an upgrade
    button, so a view may simply let it propagate.
    """

    def __init__(self, message: str, *, upgrade_url: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.upgrade_url = upgrade_url


class BillingError(DomainError, BadRequest):
    """A billing action that cannot be done in the current state; `message` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BillingNotConfigured(BillingError):
    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("Billing is not set up yet, so plans can't be changed."))


class BillingProviderError(BillingError):
    """The payment provider could not be reached or refused the request."""


class BillingAccountDenied(PermissionDenied):
    """The person may not control this billing account (see `account_may_manage`)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BillingPortalDenied(DomainError, PermissionDenied):
    """The local portal's page opened by someone who may not control the account. A
    `DomainError` so the 403 page says why: their role may allow billing while the
    account belongs to another workspace."""
