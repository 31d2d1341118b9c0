"""The admin: accounts filterable and searchable by Stripe ids, events read-only."""

from __future__ import annotations

from typing import Any

from billing.models import Account, StripeEvent
from core.models import AuditEvent
from tests.tenants.adminforms import admin_form
from tests.tenants.factories import OrgFactory


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


def test_staff_cannot_type_a_plan_or_move_the_home_workspace_and_are_audited(
    billing_settings: Any, staff_client: Any, staff: Any, acme: Any
) -> None:
    account = acme.account
    assert (account.plan, account.home_tenant) == ("free", acme)
    url = f"/admin/billing/account/{account.pk}/change/"
    form = admin_form(staff_client, url)

    response = staff_client.post(
        url,
        {
            **form,
            "name": "Acme Holdings",
            "plan": "enterprize-typo",
            "home_tenant": OrgFactory().pk,
        },
    )
    added = staff_client.post(
        "/admin/billing/account/add/",
        {**form, "name": "Made by staff", "plan": "enterprize-typo", "home_tenant": acme.pk},
    )

    assert response.status_code == added.status_code == 302
    account.refresh_from_db()
    assert (account.name, account.plan, account.home_tenant) == ("Acme Holdings", "free", acme)
    made = Account.objects.get(name="Made by staff")
    assert (made.plan, made.home_tenant) == ("free", None)  # controlled by nobody: fails closed
    event = AuditEvent.objects.get(tenant=acme, action="staff.changed")
    assert (event.actor, event.before, event.after) == (
        staff,
        {"name": form["name"]},
        {"name": "Acme Holdings"},
    )


def test_staff_cannot_hand_set_the_subscription_state(
    billing_settings: Any, staff_client: Any, acme: Any
) -> None:
    account = acme.account
    url = f"/admin/billing/account/{account.pk}/change/"
    form = admin_form(staff_client, url)

    response = staff_client.post(
        url,
        {
            **form,
            "status": "active",
            "seats": "500",
            "cancel_at_period_end": "on",
            "current_period_end_0": "2099-01-01",
            "current_period_end_1": "00:00:00",
        },
    )

    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.status, account.seats) == ("", 1)
    assert (account.cancel_at_period_end, account.current_period_end) == (False, None)
