"""The admin: accounts filterable and searchable by Stripe ids, events read-only."""

from __future__ import annotations

from typing import Any

from billing.models import Account, StripeEvent


def test_accounts_are_searchable_by_stripe_ids_and_link_to_the_dashboard(
    billing_settings: Any, staff_client: Any, acme: Any
) -> None:
    Account.objects.filter(pk=acme.account_id).update(
        stripe_customer_id="cus_Findme", plan="pro", status="active"
    )

    response = staff_client.get("/admin/billing/account/", {"q": "cus_Findme"})

    assert response.status_code == 200
    page = response.content.decode()
    assert acme.account.name in page
    assert "https://dashboard.stripe.com/test/customers/cus_Findme" in page
    filtered = staff_client.get("/admin/billing/account/", {"status__exact": "past_due"})
    assert acme.account.name not in filtered.content.decode()


def test_events_are_listed_and_read_only(billing_settings: Any, staff_client: Any) -> None:
    event = StripeEvent.objects.create(
        event_id="evt_1", type="invoice.paid", body="{}", signature_valid=True
    )

    listing = staff_client.get("/admin/billing/stripeevent/", {"processed": "no"})
    detail = staff_client.get(f"/admin/billing/stripeevent/{event.pk}/change/")

    assert "evt_1" in listing.content.decode()
    assert detail.status_code == 200
    assert 'name="body"' not in detail.content.decode()  # shown, not editable
    assert staff_client.get("/admin/billing/stripeevent/add/").status_code == 403
