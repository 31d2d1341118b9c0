"""Support's "view as": only staff holding support.impersonate, only with a reason, for
a limited time, never as staff; destructive actions are refused meanwhile, and the audit
log of every workspace involved names both identities."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from core.models import AuditEvent
from support.models import Impersonation
from support.services import SESSION_KEY
from tenants import services as tenant_services
from tenants.models import Tenant
from tests.accounts.factories import UserFactory, staff_with

REASON = "Ticket #4521: the member list looks empty to them"


@pytest.fixture(autouse=True)
def _admin_without_second_factor(settings: Any) -> None:
    settings.MFA_ADMIN_REQUIRED = False


@pytest.fixture
def support_staff(db: None) -> Any:
    return staff_with(
        "support.impersonate", "accounts.view_user", email="sam.support@pacetrack.test"
    )


@pytest.fixture
def support_client(client: Any, support_staff: Any) -> Any:
    client.force_login(support_staff)
    return client


def view_as_url(user: Any) -> str:
    return f"/admin/accounts/user/{user.pk}/view-as/"


def start(client: Any, user: Any, reason: str = REASON) -> Any:
    return client.post(view_as_url(user), {"reason": reason})


# --- Who may start, for whom, and why -----------------------------------------------


def test_more_minutes_than_the_limit_are_refused_not_quietly_cut(
    support_client: Any, owner: Any
) -> None:
    response = support_client.post(view_as_url(owner), {"reason": REASON, "minutes": "90"})

    assert response.status_code == 200
    assert "At most 30 minutes: the limit for viewing as someone." in response.content.decode()
    assert not Impersonation.objects.exists()
    assert 'max="30"' in support_client.get(view_as_url(owner)).content.decode()
    started = support_client.post(view_as_url(owner), {"reason": REASON, "minutes": "30"})
    assert started.status_code == 302


def test_staff_with_the_permission_give_a_reason_and_see_the_app_as_the_person(
    support_client: Any, support_staff: Any, owner: Any, acme: Any
) -> None:
    form = support_client.get(view_as_url(owner))
    response = start(support_client, owner)

    assert form.status_code == 200 and "at most 30 minutes" in form.content.decode()
    assert response.status_code == 302 and response.url == "/app/"
    row = Impersonation.objects.get()
    assert (row.staff, row.target, row.reason) == (support_staff, owner, REASON)
    assert row.expires_at - row.started_at == timedelta(minutes=30)
    page = support_client.get(f"/t/{acme.slug}/")
    assert page.status_code == 200  # the owner's workspace: staff are not members of it
    assert page.wsgi_request.user == owner
    assert page.wsgi_request.impersonator == support_staff
    banner = page.content.decode()
    assert 'data-testid="impersonation-banner"' in banner
    assert "sam.support@pacetrack.test is viewing as" in banner and owner.email in banner


def test_a_reason_is_required(support_client: Any, owner: Any) -> None:
    response = start(support_client, owner, reason="   help  ")

    assert response.status_code == 200
    assert "Ensure this value has at least 10 characters" in response.content.decode()
    assert not Impersonation.objects.exists()
    assert SESSION_KEY not in support_client.session


def test_staff_without_the_permission_are_refused(client: Any, owner: Any) -> None:
    client.force_login(staff_with("accounts.view_user"))

    response = start(client, owner)

    assert response.status_code == 403
    assert "support.impersonate" in response.content.decode()
    assert not Impersonation.objects.exists()


@pytest.mark.parametrize(
    "target_fields",
    [{"is_staff": True}, {"is_staff": True, "is_superuser": True}, {"is_active": False}],
    ids=["staff", "superuser", "deactivated"],
)
def test_staff_superusers_and_deactivated_accounts_can_never_be_viewed_as(
    support_client: Any, target_fields: dict[str, bool]
) -> None:
    target = UserFactory(**target_fields)

    response = start(support_client, target)

    assert response.status_code == 403
    assert not Impersonation.objects.exists()


def test_one_cannot_view_as_oneself(support_client: Any, support_staff: Any) -> None:
    assert start(support_client, support_staff).status_code == 403


def test_the_admin_action_leads_to_the_page_that_asks_why(support_client: Any, owner: Any) -> None:
    response = support_client.post(
        "/admin/accounts/user/",
        {"action": "view_as_action", "_selected_action": [owner.pk]},
    )

    assert response.status_code == 302 and response.url == view_as_url(owner)
    assert not Impersonation.objects.exists()


# --- Time limit and stopping ----------------------------------------------------------


def test_the_view_ends_by_itself_after_the_time_limit(
    support_client: Any, support_staff: Any, owner: Any, acme: Any
) -> None:
    start(support_client, owner)

    with time_machine.travel(timezone.now() + timedelta(minutes=30, seconds=1)):
        page = support_client.get("/account/")

    assert page.wsgi_request.user == support_staff
    assert 'data-testid="impersonation-banner"' not in page.content.decode()
    row = Impersonation.objects.get()
    assert row.end_reason == Impersonation.EndReason.EXPIRED
    ended = AuditEvent.objects.get(tenant=acme, action="support.view_as_ended")
    assert ended.after == {"why": "expired"}


def test_stop_ends_the_view_and_goes_back_to_the_admin(
    support_client: Any, support_staff: Any, owner: Any
) -> None:
    start(support_client, owner)

    response = support_client.post("/support/stop/")

    assert response.url == f"/admin/accounts/user/{owner.pk}/change/"
    assert Impersonation.objects.get().end_reason == Impersonation.EndReason.STOPPED
    assert support_client.get("/account/").wsgi_request.user == support_staff


def test_losing_the_permission_ends_the_view_at_the_next_request(
    support_client: Any, support_staff: Any, owner: Any
) -> None:
    start(support_client, owner)
    support_staff.user_permissions.clear()

    page = support_client.get("/account/")

    assert page.wsgi_request.user.pk == support_staff.pk
    assert Impersonation.objects.get().end_reason == Impersonation.EndReason.REVOKED


# --- Refused while viewing as someone -------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/account/delete/"),
        ("post", "/t/{slug}/settings/transfer/"),
        ("post", "/t/{slug}/settings/delete/"),
        ("post", "/t/{slug}/billing/portal/"),
        ("get", "/account/security/authenticator/"),
        ("post", "/account/security/recovery-codes/"),
        ("get", "/account/security/passkeys/add/"),
        ("post", "/account/password/"),
        ("post", "/account/email/"),
        ("post", "/t/{slug}/settings/api-keys/new/"),
        ("post", "/t/{slug}/settings/webhooks/new/"),
    ],
)
def test_destructive_and_takeover_actions_are_refused(
    support_client: Any, owner: Any, acme: Any, method: str, path: str
) -> None:
    start(support_client, owner)

    response = getattr(support_client, method)(path.format(slug=acme.slug), {"password": "x"})

    assert response.status_code == 403
    assert "Not while viewing as someone" in response.content.decode()
    owner.refresh_from_db()
    assert owner.is_active
    assert not Tenant.objects.get(pk=acme.pk).is_deleted


def test_ordinary_pages_and_actions_still_work(support_client: Any, owner: Any, acme: Any) -> None:
    start(support_client, owner)

    assert support_client.get("/account/security/").status_code == 200
    assert support_client.get(f"/t/{acme.slug}/members/").status_code == 200


# --- The audit log ---------------------------------------------------------------------


def test_start_and_stop_are_in_every_workspace_of_the_person_with_staff_as_actor(
    support_client: Any, support_staff: Any, owner: Any, acme: Any
) -> None:
    start(support_client, owner)
    support_client.post("/support/stop/")

    for tenant in (acme, owner.personal_tenant):
        started = AuditEvent.objects.get(tenant=tenant, action="support.view_as_started")
        ended = AuditEvent.objects.get(tenant=tenant, action="support.view_as_ended")
        assert (started.actor, started.target_id) == (support_staff, str(owner.pk))
        assert started.after == {"reason": REASON, "minutes": 30}
        assert ended.actor == support_staff and ended.after == {"why": "stopped"}


def test_a_change_made_while_viewing_as_someone_names_both_identities(
    support_client: Any, support_staff: Any, owner: Any, acme: Any
) -> None:
    start(support_client, owner)

    support_client.post(f"/t/{acme.slug}/settings/rename/", {"name": "Acme Renamed"})

    renamed = AuditEvent.objects.get(tenant=acme, action="tenant.renamed")
    assert (renamed.actor, renamed.impersonator) == (owner, support_staff)
    log = support_client.get(f"/t/{acme.slug}/audit/").content.decode()
    assert "via support: sam.support@pacetrack.test" in log
    assert "Support started viewing as a member" in log


def test_changes_made_by_the_person_themselves_name_no_impersonator(
    owner_client: Any, owner: Any, acme: Any
) -> None:
    tenant_services.tenant_rename(tenant=acme, name="Acme Two", acting_user=owner)

    assert AuditEvent.objects.get(tenant=acme, action="tenant.renamed").impersonator is None
