"""One billing account paying for several workspaces: only the people who manage billing
in the account's home workspace control it, at the moment they act; anyone else on a
workspace it pays for sees the plan and nothing more, and the payer can stop paying."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.messages import get_messages

from billing.audit import BillingAction
from billing.models import Account
from billing.services import account_tenant_detach
from core.models import AuditEvent
from tenants.models import Membership, Tenant
from tests.accounts.factories import UserFactory
from tests.billing.stripe_transport import recorded, subscription_with
from tests.tenants.factories import OrgFactory, add_member
from webhooks.models import Delivery
from webhooks.services import endpoint_create

CUSTOMER = "cus_QX1a2b3c4d5e6f"
SESSION = "cs_test_a1B2c3D4e5F6g7H8"
SUB = "/v1/subscriptions/sub_1QX9z8y7x6w5v4"
PORTAL = "/v1/billing_portal/sessions"
CONTROLS = ("Manage billing", "View invoices", "Upgrade to")


def flash(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def stripe(stripe_http: Any) -> Any:
    """Stripe answering checkout, its return page, the portal and seat updates."""
    stripe_http.add("post", "/v1/customers", recorded("customer"))
    stripe_http.add("post", "/v1/checkout/sessions", recorded("checkout_session"))
    stripe_http.add(
        "get", f"/v1/checkout/sessions/{SESSION}", recorded("checkout_session_complete")
    )
    stripe_http.add("get", SUB, subscription_with(1))
    stripe_http.add("post", PORTAL, recorded("portal_session"))
    return stripe_http


@pytest.fixture
def acme(acme: Tenant, owner: Any, stripe: Any, client: Any) -> Tenant:
    """Acme, which buys Pro through checkout and its return page."""
    client.force_login(owner)
    assert client.post(f"/t/{acme.slug}/billing/checkout/", {"plan": "pro"}).status_code == 303
    client.get(f"/t/{acme.slug}/billing/success/?session_id={SESSION}")
    acme.refresh_from_db()
    assert (acme.account.plan, acme.account.stripe_customer_id) == ("pro", CUSTOMER)
    client.logout()
    return acme


def create_org(client: Any, name: str, account: Account | None) -> Any:
    data = {"name": name, "account": str(account.pk) if account else "new"}
    return client.post("/account/tenants/new/", data)


@pytest.fixture
def leech(acme: Tenant, client: Any) -> tuple[Tenant, Membership]:
    """A billing admin of Acme creates Leech on Acme's account."""
    mallory = add_member(acme, role_key="billing_admin")
    client.force_login(mallory.user)
    form = client.get("/account/tenants/new/").content.decode()
    assert "Existing: Acme (Pro plan)" in form  # the plan as its name, not its key
    create_org(client, "Leech", acme.account)
    leech = Tenant.objects.get(name="Leech")
    assert leech.account_id == acme.account_id
    return leech, mallory


def remove(client: Any, owner: Any, membership: Membership) -> None:
    client.force_login(owner)
    response = client.post(f"/t/{membership.tenant.slug}/members/{membership.pk}/remove/")
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


@pytest.fixture
def removed(leech: tuple[Tenant, Membership], owner: Any, client: Any) -> tuple[Tenant, Any]:
    """Acme's owner removes the billing admin, who then comes back (the client is theirs)."""
    org, mallory = leech
    remove(client, owner, mallory)
    client.force_login(mallory.user)
    return org, mallory.user


# --- The attack -------------------------------------------------------------------------


def test_removed_billing_admin_cannot_open_shared_portal(
    removed: tuple[Tenant, Any], stripe: Any, client: Any
) -> None:
    org, _ = removed

    page = client.get(f"/t/{org.slug}/billing/")
    portal = client.post(f"/t/{org.slug}/billing/portal/")
    checkout = client.post(f"/t/{org.slug}/billing/checkout/", {"plan": "business"})
    success = client.get(f"/t/{org.slug}/billing/success/?session_id={SESSION}")

    assert (portal.status_code, checkout.status_code, success.status_code) == (403, 403, 403)
    assert stripe.calls("post", PORTAL) == []
    assert len(stripe.calls("post", "/v1/checkout/sessions")) == 1  # Acme's own purchase
    assert page.status_code == 200
    html = page.content.decode()
    assert page.context["billing"].plan.key == "pro"  # the plan shows...
    assert not any(control in html for control in CONTROLS)  # ...and no control
    assert "Paid for by Acme" in html


def test_removed_billing_admin_is_no_longer_offered_the_account(
    removed: tuple[Tenant, Any], acme: Tenant, client: Any
) -> None:

    form = client.get("/account/tenants/new/").content.decode()
    forged = create_org(client, "Leech two", acme.account)

    assert "Existing: Acme" not in form
    assert forged.status_code == 400
    assert forged.context["form"].errors["account"] == [
        "Choose a new account or one of the accounts listed."
    ]
    assert not Tenant.objects.filter(name="Leech two").exists()


def test_managing_billing_in_a_workspace_paid_by_another_does_not_hand_over_the_account(
    leech: tuple[Tenant, Membership], acme: Tenant, client: Any
) -> None:
    """Leech's owner manages Leech's billing, but Leech is not the account's home: they
    cannot open Acme's portal, nor put yet another org on Acme's account."""
    org, _ = leech
    leech_owner = UserFactory()
    add_member(org, leech_owner, role_key="owner")
    client.force_login(leech_owner)

    portal = client.post(f"/t/{org.slug}/billing/portal/")
    forged = create_org(client, "Leech two", acme.account)

    assert portal.status_code == 403
    assert "account" in forged.context["form"].errors
    assert not Tenant.objects.filter(name="Leech two").exists()


def test_an_admin_without_billing_manage_cannot_forge_the_account_id(
    acme: Tenant, client: Any
) -> None:
    admin = add_member(acme, role_key="admin")
    client.force_login(admin.user)

    forged = create_org(client, "Side project", acme.account)

    assert "account" in forged.context["form"].errors
    assert not Tenant.objects.filter(name="Side project").exists()


def test_the_service_refuses_an_account_the_actor_does_not_control(
    acme: Tenant, other_user: Any
) -> None:
    """The form is not the only gate: the service checks the same rule."""
    from django.core.exceptions import ValidationError

    from tenants.services import tenant_create_org

    with pytest.raises(ValidationError, match="billing account of a workspace whose billing"):
        tenant_create_org(
            owner=other_user, name="Forged", account=acme.account, acting_user=other_user
        )


def test_a_billing_admin_still_in_the_home_workspace_keeps_control_from_the_shared_one(
    leech: tuple[Tenant, Membership], stripe: Any, client: Any
) -> None:
    org, mallory = leech
    client.force_login(mallory.user)

    page = client.get(f"/t/{org.slug}/billing/").content.decode()
    portal = client.post(f"/t/{org.slug}/billing/portal/")

    assert "Manage billing" in page
    assert portal.status_code == 303
    (call,) = stripe.calls("post", PORTAL)
    assert call.params["customer"] == CUSTOMER


def test_sharing_an_account_is_logged_in_both_workspaces(
    leech: tuple[Tenant, Membership], acme: Tenant
) -> None:
    org, mallory = leech
    for tenant in (acme, org):
        event = AuditEvent.objects.for_tenant(tenant).get(action=BillingAction.SHARED)
        assert event.actor == mallory.user
        assert event.target_label == "Leech"


def test_the_past_due_banner_shows_only_where_the_payment_can_be_fixed(
    leech: tuple[Tenant, Membership], acme: Tenant, owner: Any, client: Any
) -> None:
    org, _ = leech
    Account.objects.filter(pk=acme.account_id).update(status="past_due")
    add_member(org, owner, role_key="owner")
    client.force_login(owner)

    assert "Payment failed." in client.get(f"/t/{acme.slug}/").content.decode()
    assert "Payment failed." not in client.get(f"/t/{org.slug}/").content.decode()


# --- Stopping paying for a workspace ------------------------------------------------------


def test_the_payers_owner_stops_paying_for_a_workspace_and_seats_follow(
    leech: tuple[Tenant, Membership],
    acme: Tenant,
    owner: Any,
    stripe: Any,
    client: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    org, mallory = leech
    remove(client, owner, mallory)
    add_member(org)  # Leech's members take seats on Acme's subscription
    Account.objects.filter(pk=acme.account_id).update(seats=3)
    stripe.add("get", SUB, subscription_with(3))
    stripe.add("post", SUB, subscription_with(1))

    page = client.get(f"/t/{acme.slug}/billing/")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/t/{acme.slug}/billing/workspaces/{org.pk}/detach/")

    assert [t.name for t in page.context["billing"].shared_tenants] == ["Leech"]
    assert "Stop paying for it" in page.content.decode()
    assert response.status_code == 302
    assert flash(response)[-1:] == ["Leech now has a billing account of its own, on the Free plan."]
    org.refresh_from_db()
    assert org.account_id != acme.account_id
    assert (org.account.plan, org.account.home_tenant_id) == ("free", org.pk)
    (update,) = stripe.calls("post", SUB)
    assert update.params["items[0][quantity]"] == "1"  # only Acme's owner is left
    for tenant in (acme, org):
        event = AuditEvent.objects.for_tenant(tenant).get(action=BillingAction.DETACHED)
        assert event.actor == owner
        assert event.before == {"billing_account": "Acme", "plan": "pro"}
        assert event.after == {"billing_account": "Leech", "plan": "free"}
    client.force_login(mallory.user)
    assert client.get(f"/t/{org.slug}/billing/").context["billing"].plan.key == "free"


def hook(tenant: Tenant, owner: Any, settings: Any) -> None:
    """An integration of the workspace that listens for plan changes."""
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    endpoint_create(
        tenant=tenant,
        url="http://127.0.0.1:9/hook",
        description="",
        event_types=["subscription.changed"],
        acting_user=owner,
    )


def test_a_workspace_no_longer_paid_for_tells_its_integrations_it_is_on_free(
    leech: tuple[Tenant, Membership], acme: Tenant, owner: Any, settings: Any
) -> None:
    org, mallory = leech
    hook(org, mallory.user, settings)
    hook(acme, owner, settings)

    account_tenant_detach(tenant=org, acting_user=None)

    (sent,) = Delivery.objects.filter(event_type="subscription.changed")
    assert sent.tenant_id == org.pk  # Acme's plan did not change
    assert json.loads(sent.payload)["data"] == {
        "plan": "free",
        "previous_plan": "pro",
        "status": "",
        "cancel_at_period_end": False,
    }


def test_a_workspace_whose_payer_is_on_free_hears_of_no_change_when_it_leaves(
    leech: tuple[Tenant, Membership], acme: Tenant, settings: Any
) -> None:
    org, mallory = leech
    Account.objects.filter(pk=acme.account_id).update(plan="free", status="canceled")
    hook(org, mallory.user, settings)

    account_tenant_detach(tenant=org, acting_user=None)

    assert not Delivery.objects.filter(event_type="subscription.changed").exists()


def test_the_attached_workspaces_billing_manager_can_leave_the_account(
    removed: tuple[Tenant, Any], acme: Tenant, client: Any
) -> None:
    org, _ = removed

    page = client.get(f"/t/{org.slug}/billing/").content.decode()
    response = client.post(f"/t/{org.slug}/billing/detach/")

    assert "Use a billing account of its own" in page
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.account_id != acme.account_id
    assert Account.objects.get(pk=acme.account_id).plan == "pro"


def test_a_plain_member_of_the_attached_workspace_cannot_detach_it(
    leech: tuple[Tenant, Membership], acme: Tenant, client: Any
) -> None:
    org, _ = leech
    member = add_member(org)
    client.force_login(member.user)

    assert client.post(f"/t/{org.slug}/billing/detach/").status_code == 403
    org.refresh_from_db()
    assert org.account_id == acme.account_id


def test_the_home_workspace_cannot_leave_or_be_detached_from_its_own_account(
    leech: tuple[Tenant, Membership], acme: Tenant, owner: Any, client: Any
) -> None:
    client.force_login(owner)

    leave = client.post(f"/t/{acme.slug}/billing/detach/")
    detach_self = client.post(f"/t/{acme.slug}/billing/workspaces/{acme.pk}/detach/")

    assert flash(leave)[-1:] == ["This workspace owns its billing account and cannot leave it."]
    assert detach_self.status_code == 404
    acme.refresh_from_db()
    assert acme.account.home_tenant_id == acme.pk


def test_a_workspace_the_account_does_not_pay_for_is_not_found(
    acme: Tenant, owner: Any, client: Any
) -> None:
    stranger = OrgFactory(owner=UserFactory())
    client.force_login(owner)

    response = client.post(f"/t/{acme.slug}/billing/workspaces/{stranger.pk}/detach/")

    assert response.status_code == 404
    stranger.refresh_from_db()
    assert stranger.account.home_tenant_id == stranger.pk


def test_a_workspace_paid_by_someone_elses_account_cannot_detach_that_accounts_others(
    leech: tuple[Tenant, Membership], acme: Tenant, client: Any
) -> None:
    """Leech's owner reaches the list route under Leech's own slug, but only the account's
    home may stop paying for other workspaces."""
    org, _ = leech
    sibling = OrgFactory(owner=acme.memberships.get(role__key="owner").user, name="Sibling")
    sibling.account = acme.account
    sibling.save()
    leech_owner = UserFactory()
    add_member(org, leech_owner, role_key="owner")
    client.force_login(leech_owner)

    response = client.post(f"/t/{org.slug}/billing/workspaces/{sibling.pk}/detach/")

    assert response.status_code == 403
    sibling.refresh_from_db()
    assert sibling.account_id == acme.account_id


def test_new_workspaces_own_the_account_made_for_them(user: Any) -> None:
    org = OrgFactory(owner=user)
    assert org.account.home_tenant_id == org.pk
    assert user.personal_tenant.account.home_tenant_id == user.personal_tenant.pk


def test_the_accounts_offered_for_a_new_organisation_name_their_plan_in_the_readers_words(
    acme: Tenant, client: Any
) -> None:
    owner = acme.memberships.get(role__key="owner").user
    owner.language = "ar"
    owner.save(update_fields=["language"])
    client.force_login(owner)

    form = client.get("/account/tenants/new/").content.decode()

    assert "(خطة برو)" in form
    assert "pro)" not in form
