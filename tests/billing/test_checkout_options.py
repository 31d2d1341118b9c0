"""Trials and promotion codes through Stripe Checkout, and Stripe's invoices (with their
PDF links) on the billing page. Stripe answers through the recorded transport."""

from __future__ import annotations

from typing import Any

from billing.models import Account
from tests.billing.stripe_transport import recorded
from tests.billing.test_views import url
from tests.tenants.factories import add_member

CUSTOMER = "cus_QX1a2b3c4d5e6f"


def test_a_first_checkout_starts_a_trial_without_a_card_and_accepts_promotion_codes(
    stripe_checkout: Any, owner_client: Any, acme: Any, settings: Any
) -> None:
    settings.BILLING_TRIAL_DAYS = 14

    page = owner_client.get(url(acme)).content.decode()
    owner_client.post(url(acme, "checkout/"), {"plan": "pro"})

    assert "Start a free trial of Pro" in page
    (call,) = stripe_checkout.calls("post", "/v1/checkout/sessions")
    assert call.params["subscription_data[trial_period_days]"] == "14"
    assert (
        call.params["subscription_data[trial_settings][end_behavior][missing_payment_method]"]
        == "cancel"
    )
    assert call.params["payment_method_collection"] == "if_required"
    assert call.params["allow_promotion_codes"] == "true"


def test_an_account_that_had_a_subscription_gets_no_second_trial(
    stripe_checkout: Any, owner_client: Any, acme: Any, settings: Any
) -> None:
    settings.BILLING_TRIAL_DAYS = 14
    Account.objects.filter(pk=acme.account_id).update(
        stripe_subscription_id="sub_old", status="canceled"
    )

    page = owner_client.get(url(acme)).content.decode()
    owner_client.post(url(acme, "checkout/"), {"plan": "pro"})

    assert "free trial" not in page
    (call,) = stripe_checkout.calls("post", "/v1/checkout/sessions")
    assert "subscription_data[trial_period_days]" not in call.params
    assert "payment_method_collection" not in call.params


def test_promotion_codes_can_be_turned_off(
    stripe_checkout: Any, owner_client: Any, acme: Any, settings: Any
) -> None:
    settings.BILLING_ALLOW_PROMOTION_CODES = False

    owner_client.post(url(acme, "checkout/"), {"plan": "pro"})

    (call,) = stripe_checkout.calls("post", "/v1/checkout/sessions")
    assert call.params["allow_promotion_codes"] == "false"


def test_the_billing_page_lists_stripe_invoices_with_their_pdf_links(
    stripe_http: Any, owner_client: Any, acme: Any
) -> None:
    Account.objects.filter(pk=acme.account_id).update(stripe_customer_id=CUSTOMER)
    stripe_http.add("get", "/v1/invoices", recorded("invoice_list"))

    page = owner_client.get(url(acme)).content.decode()

    (call,) = stripe_http.calls("get", "/v1/invoices")
    assert call.params["customer"] == CUSTOMER
    assert "A1B2C3D4-0002" in page and "36.00 USD" in page
    owner_client.post("/account/locale/", {"language": "de", "time_zone": "UTC"})
    assert "36,00 USD" in owner_client.get(url(acme)).content.decode()
    assert 'href="https://pay.stripe.com/invoice/acct_1/test_in_2/pdf"' in page
    assert 'href="https://invoice.stripe.com/i/acct_1/test_in_2"' in page
    assert "A1B2C3D4-0001" in page  # a draft: listed, with no links to give


def test_when_stripe_cannot_list_invoices_the_page_still_renders_and_says_so(
    stripe_http: Any, owner_client: Any, acme: Any
) -> None:
    Account.objects.filter(pk=acme.account_id).update(stripe_customer_id=CUSTOMER)

    response = owner_client.get(url(acme))

    assert response.status_code == 200
    assert "could not load the invoices" in response.content.decode()


def test_invoices_are_neither_asked_for_nor_shown_when_the_person_does_not_control_the_account(
    stripe_http: Any, client: Any, acme: Any
) -> None:
    Account.objects.filter(pk=acme.account_id).update(stripe_customer_id=CUSTOMER)
    stripe_http.add("get", "/v1/invoices", recorded("invoice_list"))
    other = add_member(acme, role_key="billing_admin")
    other.tenant.account.home_tenant = None
    other.tenant.account.save()
    client.force_login(other.user)

    page = client.get(url(acme)).content.decode()

    assert stripe_http.calls("get", "/v1/invoices") == []
    assert "A1B2C3D4-0002" not in page
