"""The billing provider, chosen by `settings.BILLING_BACKEND` (a dotted path).

Two real implementations: `stripe.StripeBillingBackend` (production) and
`local.LocalBillingBackend` (its state in our database, for demos and local development).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from billing.backends.base import BaseBillingBackend


def billing_backend() -> BaseBillingBackend:
    """A backend instance for the configured dotted path (cheap to construct)."""
    return import_string(settings.BILLING_BACKEND)()


def billing_enabled() -> bool:
    """False without provider credentials: every tenant is then on the free plan."""
    return billing_backend().is_configured()
