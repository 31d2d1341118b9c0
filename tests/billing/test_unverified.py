"""People whose address is not verified cannot start a checkout."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.accounts.factories import UserFactory
from tests.billing.stripe_transport import recorded
from tests.tenants.factories import OrgFactory

pytestmark = pytest.mark.django_db


def test_unverified_user_cannot_start_checkout(stripe_http: Any, client: Client) -> None:
    stripe_http.add("post", "/v1/customers", recorded("customer"))
    stripe_http.add("post", "/v1/checkout/sessions", recorded("checkout_session"))
    person = UserFactory(unverified=True)
    org = OrgFactory(owner=person)
    client.force_login(person)

    response = client.post(f"/t/{org.slug}/billing/checkout/", {"plan": "pro"})

    assert response.status_code == 403
    assert "Confirm your email address first" in response.content.decode()
    assert stripe_http.calls("post", "/v1/customers") == []
    assert stripe_http.calls("post", "/v1/checkout/sessions") == []
    org.account.refresh_from_db()
    assert org.account.stripe_customer_id == ""
