"""The gating table in settings: custom roles and the full audit history are paid
features. A gated feature shows what it does and an upgrade button instead of
disappearing, and the services refuse it whoever calls them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from billing.exceptions import PlanLimitReached
from billing.models import Account
from billing.plans import plan_allows
from core.permissions import MEMBERS_INVITE
from tenants import services
from tenants.models import Role
from tenants.selectors import audit_event_list
from tests.tenants.factories import add_member, make_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def billing_on(settings: Any) -> Any:
    """Billing configured with the shipped gating table (Free lacks the paid features)."""
    settings.STRIPE_SECRET_KEY = "sk_test_pacetrack"
    return settings


def subscribe(tenant: Any, plan: str) -> None:
    Account.objects.filter(pk=tenant.account_id).update(
        plan=plan, status="active", stripe_subscription_id="sub_1", stripe_customer_id="cus_1"
    )
    tenant.account.refresh_from_db()


def test_the_gating_table_names_sso_and_api_keys_for_the_apps_that_will_ask(
    settings: Any,
) -> None:
    assert {"custom_roles", "audit_history", "api_keys", "sso"} <= set(settings.BILLING_FEATURES)
    assert "custom_roles" not in settings.BILLING_PLANS["free"]["features"]
    assert "sso" in settings.BILLING_PLANS["business"]["features"]


def test_without_billing_nothing_is_withheld(acme: Any) -> None:
    """Nothing can be bought, so a gate could never be lifted."""
    assert plan_allows(tenant=acme, feature="custom_roles")
    make_role(acme, "Recruiter", [MEMBERS_INVITE])


# --- Custom roles -----------------------------------------------------------------


def test_the_role_service_refuses_a_custom_role_on_the_free_plan(
    billing_on: Any, acme: Any, owner: Any
) -> None:
    with pytest.raises(PlanLimitReached) as refused:
        services.role_create(
            tenant=acme, name="Recruiter", permissions=[MEMBERS_INVITE], acting_user=owner
        )

    assert refused.value.message == (
        "The Free plan does not include custom roles. "
        "Upgrade to a plan that includes it to continue."
    )
    assert refused.value.upgrade_url == f"/t/{acme.slug}/billing/"
    assert not Role.objects.filter(tenant=acme, name="Recruiter").exists()


def test_a_custom_role_made_on_a_paid_plan_keeps_working_but_cannot_be_changed_after(
    billing_on: Any, acme: Any, owner: Any
) -> None:
    subscribe(acme, "pro")
    role = make_role(acme, "Recruiter", [MEMBERS_INVITE])
    member = add_member(acme, role=role)
    subscribe(acme, "free")

    with pytest.raises(PlanLimitReached):
        services.role_update(
            tenant=acme, role=role, name="Hiring", permissions=[], acting_user=owner
        )

    assert Role.objects.get(pk=role.pk).name == "Recruiter"
    assert member.role_id == role.pk


def test_the_roles_page_shows_what_custom_roles_do_and_an_upgrade_button(
    billing_on: Any, owner_client: Any, acme: Any
) -> None:
    page = owner_client.get(f"/t/{acme.slug}/roles/").content.decode()

    assert 'data-testid="upgrade-custom_roles"' in page
    assert "Make roles of your own from the permission list" in page
    assert f'href="/t/{acme.slug}/billing/"' in page and ">Upgrade<" in page
    assert "Create role" not in page
    # An organisation that never made a role is not told its roles keep working.
    assert "Roles you made before keep working" not in page


def test_roles_made_on_a_paid_plan_are_said_to_keep_working_on_the_free_plan(
    billing_on: Any, owner_client: Any, acme: Any
) -> None:
    subscribe(acme, "pro")
    make_role(acme, "Recruiter", [MEMBERS_INVITE])
    subscribe(acme, "free")

    page = owner_client.get(f"/t/{acme.slug}/roles/").content.decode()

    assert "Roles you made before keep working; they cannot be changed." in page


def test_after_a_downgrade_an_owner_is_not_told_a_custom_role_is_beyond_their_role(
    billing_on: Any, owner_client: Any, acme: Any
) -> None:
    """The row said "Beyond your role" to the owner, who holds every permission; the
    upgrade card beside it says why nobody can change it."""
    subscribe(acme, "pro")
    make_role(acme, "Auditor", [MEMBERS_INVITE])
    subscribe(acme, "free")

    page = owner_client.get(f"/t/{acme.slug}/roles/").content.decode()

    assert "Auditor" in page and "Beyond your role" not in page


def test_a_custom_role_s_edit_page_on_the_free_plan_says_so_instead_of_a_form(
    billing_on: Any, owner_client: Any, acme: Any
) -> None:
    """The form opened and refused only once it had been filled in and saved."""
    subscribe(acme, "pro")
    role = make_role(acme, "Auditor", [MEMBERS_INVITE])
    subscribe(acme, "free")

    response = owner_client.get(f"/t/{acme.slug}/roles/{role.pk}/", follow=True)

    page = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/t/{acme.slug}/roles/"
    assert "The Free plan does not include custom roles: “Auditor” keeps working" in page
    assert "Save role" not in page


def test_a_member_without_billing_rights_is_told_whom_to_ask(
    billing_on: Any, client: Any, acme: Any
) -> None:
    admin = add_member(acme, role_key="admin")
    client.force_login(admin.user)

    page = client.get(f"/t/{acme.slug}/roles/").content.decode()

    assert "Make roles of your own" in page
    assert "Ask an owner or billing admin to upgrade." in page


def test_posting_the_role_form_on_the_free_plan_is_refused(
    billing_on: Any, owner_client: Any, acme: Any
) -> None:
    response = owner_client.post(
        f"/t/{acme.slug}/roles/new/", {"name": "Recruiter", "permissions": [MEMBERS_INVITE]}
    )

    assert "The Free plan does not include custom roles" in response.content.decode()
    assert not Role.objects.filter(tenant=acme, name="Recruiter").exists()


def test_on_a_paid_plan_the_form_is_there_and_works(
    billing_on: Any, owner_client: Any, acme: Any
) -> None:
    subscribe(acme, "pro")

    page = owner_client.get(f"/t/{acme.slug}/roles/").content.decode()
    owner_client.post(
        f"/t/{acme.slug}/roles/new/", {"name": "Recruiter", "permissions": [MEMBERS_INVITE]}
    )

    assert "Create role" in page and "upgrade-custom_roles" not in page
    assert Role.objects.filter(tenant=acme, name="Recruiter").exists()


# --- Audit history ----------------------------------------------------------------


def renamed_to(response: Any) -> list[str]:
    return [(e.after or {}).get("name", "") for e in response.context["events"] if e.after]


def test_the_free_plan_shows_the_last_30_days_of_the_audit_log_and_keeps_the_rest(
    billing_on: Any, owner_client: Any, acme: Any, owner: Any
) -> None:
    with time_machine.travel(timezone.now() - timedelta(days=45)):
        services.tenant_rename(tenant=acme, name="Acme Ancient", acting_user=owner)
    services.tenant_rename(tenant=acme, name="Acme Recent", acting_user=owner)

    response = owner_client.get(f"/t/{acme.slug}/audit/")

    assert "Acme Recent" in renamed_to(response)
    assert "Acme Ancient" not in renamed_to(response)
    page = response.content.decode()
    assert 'data-testid="upgrade-audit_history"' in page
    assert "This log shows the last 30 days." in page

    subscribe(acme, "pro")
    response = owner_client.get(f"/t/{acme.slug}/audit/")
    assert "Acme Ancient" in renamed_to(response)
    assert "upgrade-audit_history" not in response.content.decode()


def test_the_audit_selector_itself_stops_at_the_plans_window(
    billing_on: Any, acme: Any, owner: Any
) -> None:
    with time_machine.travel(timezone.now() - timedelta(days=31)):
        services.tenant_rename(tenant=acme, name="Acme Old", acting_user=owner)

    assert not [
        e for e in audit_event_list(tenant=acme) if (e.after or {}).get("name") == "Acme Old"
    ]
