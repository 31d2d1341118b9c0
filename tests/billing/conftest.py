from __future__ import annotations

import copy
from typing import Any

import pytest
import stripe

from tests.billing.stripe_transport import RecordedStripeHTTPClient, recorded

WEBHOOK_SECRET = "whsec_test_0123456789abcdef"
PRO_PRICE = "price_pro_test"
BUSINESS_PRICE = "price_business_test"


@pytest.fixture
def billing_settings(settings: Any) -> Any:
    """Stripe configured (test keys) with both paid plans purchasable."""
    settings.STRIPE_SECRET_KEY = "sk_test_pacetrack"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.BILLING_BACKEND = "billing.backends.stripe.StripeBillingBackend"
    plans = _test_plans(settings)
    plans["pro"]["price_id"] = PRO_PRICE
    plans["business"]["price_id"] = BUSINESS_PRICE
    settings.BILLING_PLANS = plans
    return settings


def _test_plans(settings: Any) -> dict[str, Any]:
    """The configured plans with a Free plan these tests rely on (3 members, no teams),
    whatever the project's defaults say."""
    plans = copy.deepcopy(settings.BILLING_PLANS)
    plans["free"].update(max_members=3, features=[])
    return plans


@pytest.fixture
def no_billing(settings: Any) -> Any:
    """No Stripe keys: the embedded default."""
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""
    settings.BILLING_BACKEND = "billing.backends.stripe.StripeBillingBackend"
    settings.BILLING_PLANS = _test_plans(settings)
    return settings


@pytest.fixture
def stripe_http(billing_settings: Any, monkeypatch: pytest.MonkeyPatch) -> RecordedStripeHTTPClient:
    """Stripe's HTTP transport replaced by recorded responses (the library's own hook)."""
    client = RecordedStripeHTTPClient()
    monkeypatch.setattr(stripe, "default_http_client", client)
    return client


@pytest.fixture
def local_billing(billing_settings: Any, db: None) -> Any:
    """The local provider in our database (demo mode); plans keep their price ids."""
    settings = billing_settings
    settings.STRIPE_SECRET_KEY = ""
    settings.BILLING_BACKEND = "billing.backends.local.LocalBillingBackend"
    return settings


@pytest.fixture
def stripe_checkout(stripe_http: RecordedStripeHTTPClient) -> RecordedStripeHTTPClient:
    """Stripe answers customer creation and checkout with recorded responses."""
    stripe_http.add("post", "/v1/customers", recorded("customer"))
    stripe_http.add("post", "/v1/checkout/sessions", recorded("checkout_session"))
    return stripe_http
