"""Admin safety: staff only, through our sessions, rate-limited, and every staff change to
users and tenants lands in the audit log; the audit log itself is read-only there."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from core.models import AuditEvent
from sessions_app.models import Session
from sessions_app.services import session_create
from tenants.services import tenant_rename
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.billing.factories import subscribe
from tests.sessions_app.helpers import row_of
from tests.tenants.factories import OrgFactory, add_member, make_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client: Client, staff: Any) -> Client:
    """Signed in through the admin's own sign-in page."""
    client.post("/admin/login/", {"username": staff.email, "password": DEFAULT_PASSWORD})
    return client


def test_a_signed_in_non_staff_user_is_sent_to_the_admin_login(client: Client, user: Any) -> None:
    client.post("/auth/sign-in/", {"email": user.email, "password": DEFAULT_PASSWORD})

    response = client.get("/admin/")

    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    login = client.post(
        "/admin/login/", {"username": user.email, "password": DEFAULT_PASSWORD}
    ).content.decode()
    assert "staff account" in login


def test_staff_sign_in_to_the_admin_through_our_sessions(staff_client: Client) -> None:
    assert staff_client.get("/admin/").status_code == 200
    assert row_of(staff_client).revoked_at is None  # a sessions_app row backs the admin


def test_a_revoked_staff_session_loses_the_admin(staff_client: Client) -> None:
    row = row_of(staff_client)
    Session.objects.filter(pk=row.pk).update(revoked_at=row.created_at, revoked_reason="admin")

    assert staff_client.get("/admin/").status_code == 302


def test_admin_login_is_rate_limited_by_the_auth_tier(client: Client, staff: Any) -> None:
    statuses = [
        client.post("/admin/login/", {"username": staff.email, "password": "wrong"}).status_code
        for _ in range(6)
    ]

    assert statuses[:5] == [200] * 5
    assert statuses[5] == 429


def test_staff_changing_a_user_is_audited_in_their_workspace(
    staff_client: Client, staff: Any, user: Any
) -> None:
    response = staff_client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {
            "email": user.email,
            "name": "Renamed by staff",
            "is_active": "on",
            "is_staff": "on",
            "date_joined_0": "2025-01-01",
            "date_joined_1": "00:00:00",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "sessions-TOTAL_FORMS": "0",
            "sessions-INITIAL_FORMS": "0",
        },
        REMOTE_ADDR="192.0.2.44",
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    event = AuditEvent.objects.get(tenant=user.personal_tenant, action="staff.changed")
    assert event.actor == staff and event.actor_ip == "192.0.2.44"
    assert event.after["name"] == "Renamed by staff" and event.after["is_staff"] is True
    assert event.before["is_staff"] is False


def test_staff_soft_delete_tenants_and_it_is_audited(staff_client: Client, staff: Any) -> None:
    org = OrgFactory(name="Doomed")

    assert staff_client.get(f"/admin/tenants/tenant/{org.pk}/delete/").status_code == 403
    staff_client.post(
        "/admin/tenants/tenant/",
        {"action": "soft_delete_orgs", "_selected_action": [org.pk], "index": "0"},
    )

    org.refresh_from_db()
    assert org.is_deleted
    actions = set(AuditEvent.objects.filter(tenant=org).values_list("action", "actor"))
    assert actions == {
        ("tenant.created", None),  # by the factory, as an operator would
        ("tenant.deleted", None),
        ("staff.deleted", staff.pk),
    }


def test_staff_cannot_soft_delete_an_organisation_whose_subscription_renews(
    staff_client: Client, staff: Any, billing_on: Any
) -> None:
    """Deleted, nobody could reach its billing pages to stop the charges; the action
    says why and deletes the others it was given."""
    paying, free = OrgFactory(name="Paying"), OrgFactory(name="Free")
    subscribe(paying, "pro")

    response = staff_client.post(
        "/admin/tenants/tenant/",
        {"action": "soft_delete_orgs", "_selected_action": [paying.pk, free.pk], "index": "0"},
        follow=True,
    )

    paying.refresh_from_db()
    free.refresh_from_db()
    assert not paying.is_deleted and free.is_deleted
    html = response.content.decode()
    assert "Paying pays for the Pro plan, and its subscription renews." in html
    assert "Soft-deleted 1 organisation(s)." in html


@pytest.mark.parametrize(
    ("changelist", "action", "model_perm"),
    [
        ("/admin/tenants/tenant/", "soft_delete_orgs", "tenants.view_tenant"),
        ("/admin/billing/account/", "sync_from_stripe", "billing.view_account"),
        ("/admin/billing/stripeevent/", "reprocess", "billing.view_stripeevent"),
        ("/admin/accounts/emaildelivery/", "retry_deliveries", "accounts.view_emaildelivery"),
        ("/admin/tenants/invitation/", "cancel_invitations", "tenants.view_invitation"),
        (
            "/admin/tenants/membership/",
            "delete_selected_through_service",
            "tenants.view_membership",
        ),
        ("/admin/tenants/role/", "delete_selected_through_service", "tenants.view_role"),
        ("/admin/accounts/user/", "send_password_reset_emails", "accounts.view_user"),
        ("/admin/accounts/user/", "delete_accounts", "accounts.view_user"),
    ],
)
def test_view_only_staff_are_not_offered_actions_that_change_things(
    client: Client, changelist: str, action: str, model_perm: str
) -> None:
    from django.contrib.auth.models import Permission

    from accounts.models import EmailDelivery
    from billing.models import StripeEvent
    from tenants.invitations import invitation_create
    from tenants.models import Role

    # One row on every list: Django hides the actions of an empty changelist.
    org = OrgFactory()
    org_owner = org.memberships.get(role__key="owner").user
    StripeEvent.objects.create(
        event_id="evt_1", type="invoice.paid", body="{}", signature_valid=True
    )
    EmailDelivery.objects.create(to=["a@example.com"], template="t", subject="s", status="failed")
    invitation_create(
        tenant=org,
        email="b@example.com",
        role=Role.objects.get(tenant=org, key="member"),
        acting_user=org_owner,
    )
    viewer = UserFactory(is_staff=True)
    app_label, codename = model_perm.split(".")
    viewer.user_permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )
    superuser = UserFactory(is_staff=True, is_superuser=True)

    client.post("/admin/login/", {"username": superuser.email, "password": DEFAULT_PASSWORD})
    assert f'value="{action}"' in client.get(changelist).content.decode()  # the control
    client.post("/admin/logout/")
    client.post("/admin/login/", {"username": viewer.email, "password": DEFAULT_PASSWORD})
    page = client.get(changelist)

    assert page.status_code == 200
    assert f'value="{action}"' not in page.content.decode()


def test_staff_removing_a_membership_is_audited(staff_client: Client, staff: Any) -> None:
    org = OrgFactory(name="Acme")
    membership = add_member(org)

    staff_client.post(f"/admin/tenants/membership/{membership.pk}/delete/", {"post": "yes"})

    event = AuditEvent.objects.get(tenant=org, action="staff.deleted")
    assert (event.actor, event.target_label) == (staff, membership.user.email)


def test_the_audit_log_is_read_only_in_the_admin(
    staff_client: Client, acme: Any, owner: Any
) -> None:
    tenant_rename(tenant=acme, name="Renamed", acting_user=owner)
    event = AuditEvent.objects.get(tenant=acme, action="tenant.renamed")

    assert staff_client.get("/admin/core/auditevent/").status_code == 200
    assert staff_client.get(f"/admin/core/auditevent/{event.pk}/change/").status_code == 200
    assert staff_client.get("/admin/core/auditevent/add/").status_code == 403
    assert staff_client.get(f"/admin/core/auditevent/{event.pk}/delete/").status_code == 403
    staff_client.post(f"/admin/core/auditevent/{event.pk}/change/", {"target_label": "x"})
    event.refresh_from_db()
    assert event.target_label == "Renamed"


def test_revoke_user_sessions_command(user: Any, capsys: Any) -> None:
    session_create(user_id=user.pk, token="c" * 43)
    session_create(user_id=user.pk, token="d" * 43)

    call_command("revoke_user_sessions", user.email.upper())

    assert "Revoked 2 session(s)" in capsys.readouterr().out
    assert not Session.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert Session.objects.filter(user=user, revoked_reason="admin").count() == 2
    assert AuditEvent.objects.filter(tenant=user.personal_tenant, action="session.revoked").exists()


def test_revoke_user_sessions_names_an_unknown_email() -> None:
    with pytest.raises(CommandError, match="No user with the email 'ghost@example.com'"):
        call_command("revoke_user_sessions", "ghost@example.com")


def _support_staff(*codenames: str) -> Any:
    """A staff member who is not a superuser, with the given model permissions."""
    from django.contrib.auth.models import Permission

    person = UserFactory(is_staff=True, email="sam.support@example.com")
    person.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return person


MEMBERSHIP_PERMS = ("add_membership", "change_membership", "delete_membership", "view_membership")


def test_support_staff_cannot_make_their_own_account_an_owner_of_a_customer(
    client: Client,
) -> None:
    """The membership admin let a staff member add themselves as owner of any
    organisation: every key, webhook and member past "view as" and its limits."""
    from tenants.models import Membership, Role

    org = OrgFactory(name="Acme")
    sam = _support_staff(*MEMBERSHIP_PERMS)
    client.force_login(sam)
    owner_role = Role.objects.get(tenant=org, key="owner")

    page = client.post(
        "/admin/tenants/membership/add/",
        {"user": sam.pk, "tenant": org.pk, "role": owner_role.pk, "is_billing_contact": ""},
    )

    assert page.status_code == 200
    assert "Only a superuser adds, changes or removes the memberships of a staff" in (
        page.content.decode()
    )
    assert not Membership.objects.filter(user=sam, tenant=org).exists()
    # A customer they may still add (the rule is about staff accounts only).
    customer = UserFactory()
    member_role = Role.objects.get(tenant=org, key="member")
    added = client.post(
        "/admin/tenants/membership/add/",
        {"user": customer.pk, "tenant": org.pk, "role": member_role.pk},
    )
    assert added.status_code == 302
    assert Membership.objects.filter(user=customer, tenant=org).exists()


def test_support_staff_cannot_demote_or_remove_a_superusers_membership(client: Client) -> None:
    from tenants.models import Membership, Role

    chief = UserFactory(is_staff=True, is_superuser=True)
    org = OrgFactory(name="Acme", owner=chief)
    chiefs = Membership.objects.get(tenant=org, user=chief)
    other_owner = add_member(org, role_key="owner")  # so no last-owner rule gets there first
    client.force_login(_support_staff(*MEMBERSHIP_PERMS))
    member_role = Role.objects.get(tenant=org, key="member")
    url = f"/admin/tenants/membership/{chiefs.pk}"

    change = client.post(f"{url}/change/", {"role": member_role.pk})
    delete = client.post(f"{url}/delete/", {"post": "yes"})
    bulk = client.post(
        "/admin/tenants/membership/",
        {"action": "delete_selected_through_service", "_selected_action": [chiefs.pk]},
        follow=True,
    )

    assert change.status_code == 403 and delete.status_code == 403
    assert "Only a superuser adds, changes or removes" in bulk.content.decode()
    assert Membership.objects.get(pk=chiefs.pk).role.key == "owner"
    assert other_owner.role.key == "owner"


def test_the_membership_rows_on_an_organisations_page_know_who_asks(rf: Any) -> None:
    """The inline rows (an organisation's page, a person's page) use the same form: it
    refuses a staff account's row for support staff, as the membership page does."""
    from django.contrib import admin

    from tenants.admin import TenantMembershipInline, UserMembershipInline
    from tenants.models import Role, Tenant

    org = OrgFactory(name="Acme")
    sam = _support_staff(*MEMBERSHIP_PERMS)
    request = rf.get("/admin/")
    request.user = sam
    for inline, parent in [(TenantMembershipInline, org), (UserMembershipInline, sam)]:
        model = Tenant if inline is TenantMembershipInline else type(sam)
        form = inline(model, admin.site).get_formset(request, parent).form
        row = form(
            data={
                "user": sam.pk,
                "tenant": org.pk,
                "role": Role.objects.get(tenant=org, key="owner").pk,
            }
        )
        assert not row.is_valid(), inline
        assert "Only a superuser adds" in str(row.errors), inline


ROLE_PERMS = ("add_role", "change_role", "delete_role", "view_role")


def test_support_staff_cannot_grant_their_own_role_every_permission(client: Client) -> None:
    """Staff who only could change roles made a customer's custom role, which they held,
    an owner's in all but name: audit log, API keys and webhooks past "view as"."""
    from core.permissions import ALL_PERMISSIONS
    from tenants.models import Role

    org = OrgFactory(name="Acme")
    sam = _support_staff(*ROLE_PERMS)
    viewer = make_role(org, "Viewer", [])
    add_member(org, user=sam, role=viewer)
    client.force_login(sam)
    url = f"/admin/tenants/role/{viewer.pk}"

    change = client.post(
        f"{url}/change/", {"name": "Viewer", "permissions": list(ALL_PERMISSIONS), "_save": "Save"}
    )
    delete = client.post(f"{url}/delete/", {"post": "yes"})
    bulk = client.post(
        "/admin/tenants/role/",
        {"action": "delete_selected_through_service", "_selected_action": [viewer.pk]},
        follow=True,
    )

    assert change.status_code == 403 and delete.status_code == 403
    assert "Only a superuser changes or removes a role a staff account holds." in (
        bulk.content.decode()
    )
    viewer = Role.objects.get(pk=viewer.pk)
    assert viewer.permissions == []
    # A role only customers hold they still change, and the audit log names them.
    helpers = make_role(org, "Helpers", [])
    add_member(org, role=helpers)
    changed = client.post(
        f"/admin/tenants/role/{helpers.pk}/change/",
        {"name": "Helpers", "permissions": ["files.manage"], "_save": "Save"},
    )
    assert changed.status_code == 302
    assert Role.objects.get(pk=helpers.pk).permissions == ["files.manage"]
    staff_event = AuditEvent.objects.get(
        tenant=org, action="staff.changed", target_id=str(helpers.pk)
    )
    assert staff_event.actor == sam and staff_event.after == {"permissions": ["files.manage"]}


def test_a_superuser_may_change_a_role_staff_hold(client: Client) -> None:
    from tenants.models import Role

    org = OrgFactory(name="Acme")
    sam = _support_staff(*ROLE_PERMS)
    viewer = make_role(org, "Viewer", [])
    add_member(org, user=sam, role=viewer)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    client.post(
        f"/admin/tenants/role/{viewer.pk}/change/",
        {"name": "Viewer", "permissions": ["files.manage"], "_save": "Save"},
    )

    assert Role.objects.get(pk=viewer.pk).permissions == ["files.manage"]


def test_staff_who_may_only_change_organisations_cannot_soft_delete_one(client: Client) -> None:
    """The action asked for the change permission: a support role that renames
    organisations deleted any of them."""
    from django.contrib.auth.models import Permission

    org = OrgFactory(name="Acme")
    sam = _support_staff("change_tenant", "view_tenant")
    client.force_login(sam)

    page = client.get("/admin/tenants/tenant/").content.decode()
    client.post(
        "/admin/tenants/tenant/",
        {"action": "soft_delete_orgs", "_selected_action": [org.pk], "index": "0"},
    )

    assert 'value="soft_delete_orgs"' not in page
    org.refresh_from_db()
    assert not org.is_deleted
    sam.user_permissions.add(Permission.objects.get(codename="delete_tenant"))
    assert 'value="soft_delete_orgs"' in client.get("/admin/tenants/tenant/").content.decode()
