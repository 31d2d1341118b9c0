"""An organisation that pays for a subscription that renews is not deleted until it is
cancelled. A walk found a deleted Pro organisation still subscribed, with its billing
pages gone with it: nobody could stop the card being charged."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from billing.models import Account
from tenants.exceptions import TenantDeleteRefused
from tenants.models import Tenant
from tenants.services import tenant_delete
from tests.accounts.factories import UserFactory
from tests.billing.factories import subscribe
from tests.core.browser import sign_in
from tests.mfa.test_browser import no_horizontal_overflow
from tests.tenants.factories import OrgFactory


def _delete(client: Any, tenant: Any) -> Any:
    return client.post(f"/t/{tenant.slug}/settings/delete/", {"confirmation": tenant.slug})


@pytest.mark.django_db
def test_a_renewing_subscription_keeps_the_organisation_and_says_what_to_do(
    owner_client: Any, acme: Any, billing_on: Any
) -> None:
    subscribe(acme, "pro")

    page = owner_client.get(f"/t/{acme.slug}/settings/").content.decode()
    forged = _delete(owner_client, acme)  # the form is not offered; posted anyway

    assert "Acme pays for the Pro plan, and its subscription renews." in page
    assert f'href="/t/{acme.slug}/billing/"' in page and "Go to Billing" in page
    assert 'name="confirmation"' not in page
    assert forged.status_code == 400
    assert "Cancel the subscription on the Billing page first" in forged.content.decode()
    assert Tenant.objects.get(pk=acme.pk).deleted_at is None


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["active", "trialing", "past_due"])
def test_every_status_that_still_charges_refuses(
    acme: Any, owner: Any, billing_on: Any, status: str
) -> None:
    subscribe(acme, "pro", status=status)

    with pytest.raises(TenantDeleteRefused, match="subscription renews"):
        tenant_delete(tenant=acme, acting_user=owner)


@pytest.mark.django_db
def test_once_cancelled_to_the_period_end_it_may_be_deleted(
    owner_client: Any, acme: Any, billing_on: Any
) -> None:
    subscribe(acme, "pro")
    Account.objects.filter(pk=acme.account_id).update(cancel_at_period_end=True)

    page = owner_client.get(f"/t/{acme.slug}/settings/").content.decode()
    response = _delete(owner_client, acme)

    assert 'name="confirmation"' in page and "subscription renews" not in page
    assert response.status_code == 302
    assert Tenant.objects.get(pk=acme.pk).deleted_at is not None


@pytest.mark.django_db
def test_a_workspace_another_pays_for_may_be_deleted(
    owner: Any, acme: Any, billing_on: Any
) -> None:
    """Its billing pages are the payer's, which stays; the payer's seats follow."""
    subscribe(acme, "pro")
    side = OrgFactory(owner=owner, name="Side project")
    Tenant.objects.filter(pk=side.pk).update(account=acme.account)
    side.refresh_from_db()

    tenant_delete(tenant=side, acting_user=owner)

    assert Tenant.objects.get(pk=side.pk).deleted_at is not None


@pytest.mark.django_db
def test_without_billing_nothing_is_refused(acme: Any, owner: Any) -> None:
    subscribe(acme, "pro")  # rows left from when billing was on

    tenant_delete(tenant=acme, acting_user=owner)

    assert Tenant.objects.get(pk=acme.pk).deleted_at is not None


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 360])
def test_the_settings_page_says_so_and_leads_to_billing(
    _browser: Any, live_server: Any, settings: Any, width: int
) -> None:
    settings.BILLING_BACKEND = "billing.backends.local.LocalBillingBackend"
    settings.STRIPE_PRICE_PRO = "price_demo"
    owner = UserFactory()
    org = OrgFactory(owner=owner, name="Acme")
    subscribe(org, "pro")
    context = _browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}
    )
    try:
        page = context.new_page()
        sign_in(page, owner.email, then=f"/t/{org.slug}/settings/")
        notice = page.get_by_test_id("delete-refusal")
        expect(notice).to_contain_text("Cancel the subscription on the Billing page first")
        expect(page.get_by_label(f"Type “{org.slug}” to confirm")).to_have_count(0)
        assert no_horizontal_overflow(page)
        notice.get_by_role("link", name="Go to Billing").click()
        expect(page).to_have_url(f"{live_server.url}/t/{org.slug}/billing/")
    finally:
        context.close()
