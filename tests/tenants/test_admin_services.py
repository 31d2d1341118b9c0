"""The admin is not a side door: memberships, roles, tenants and teams change through
the same services as the members' pages, so their rules hold and a refusal is a form
error on the page (not a 500, and nothing written).

Each attack is made over HTTP by staff holding only the model permissions involved.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from core.models import AuditEvent
from tenants.models import Membership, Role, Team, TeamMember, TenantSlugRedirect
from tests.accounts.factories import UserFactory, staff_with
from tests.tenants.adminforms import admin_form, inline_row
from tests.tenants.factories import OrgFactory, add_member, make_role, make_team

pytestmark = pytest.mark.django_db

MEMBERSHIP_PERMS = [f"tenants.{p}_membership" for p in ("view", "add", "change", "delete")]


def _as(client: Client, *perms: str) -> Any:
    staff = staff_with(*perms)
    client.force_login(staff)
    return staff


def _role(tenant: Any, key: str) -> Role:
    return Role.objects.get(tenant=tenant, key=key)


def _owner_membership(acme: Any, owner: Any) -> Membership:
    return Membership.objects.get(tenant=acme, user=owner)


def _tenant_page(client: Client, tenant: Any) -> tuple[str, dict[str, Any]]:
    url = f"/admin/tenants/tenant/{tenant.pk}/change/"
    return url, admin_form(client, url)


# --- Owners: the last one stays -----------------------------------------------------


def test_admin_cannot_demote_last_owner(client: Client, acme: Any, owner: Any) -> None:
    _as(client, *MEMBERSHIP_PERMS)
    membership = _owner_membership(acme, owner)
    url = f"/admin/tenants/membership/{membership.pk}/change/"
    form = admin_form(client, url)

    response = client.post(url, {**form, "role": _role(acme, "admin").pk})

    assert response.status_code == 200
    assert "This is the only owner" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role.key == "owner"


def test_admin_cannot_demote_last_owner_in_the_tenant_page_inline(
    client: Client, acme: Any, owner: Any
) -> None:
    _as(client, "tenants.change_tenant", *MEMBERSHIP_PERMS)
    membership = _owner_membership(acme, owner)
    url, form = _tenant_page(client, acme)
    row = inline_row(form, "memberships", "id", membership.pk)

    response = client.post(url, {**form, f"{row}-role": _role(acme, "member").pk})

    assert response.status_code == 200
    assert "This is the only owner" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role.key == "owner"
    assert not AuditEvent.objects.filter(tenant=acme, action="member.role_changed").exists()


def test_admin_cannot_remove_last_owner(client: Client, acme: Any, owner: Any) -> None:
    _as(client, "tenants.change_tenant", *MEMBERSHIP_PERMS)
    membership = _owner_membership(acme, owner)
    url, form = _tenant_page(client, acme)
    row = inline_row(form, "memberships", "id", membership.pk)

    inline = client.post(url, {**form, f"{row}-DELETE": "on"})
    delete_page = client.post(
        f"/admin/tenants/membership/{membership.pk}/delete/", {"post": "yes"}, follow=True
    )
    bulk = client.post(
        "/admin/tenants/membership/",
        {"action": "delete_selected_through_service", "_selected_action": [membership.pk]},
        follow=True,
    )

    assert inline.status_code == 200
    assert "The last owner cannot leave or be removed" in inline.content.decode()
    for response in (delete_page, bulk):
        assert response.status_code == 200
        assert "The last owner cannot leave or be removed" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_admin_cannot_remove_a_user_from_their_personal_workspace(
    client: Client, user: Any
) -> None:
    _as(client, "accounts.change_user", *MEMBERSHIP_PERMS)
    url = f"/admin/accounts/user/{user.pk}/change/"
    form = admin_form(client, url)
    personal = Membership.objects.get(tenant=user.personal_tenant, user=user)
    row = inline_row(form, "memberships", "id", personal.pk)

    response = client.post(url, {**form, f"{row}-DELETE": "on"})

    assert response.status_code == 200
    assert "personal workspace" in response.content.decode()
    assert Membership.objects.filter(tenant=user.personal_tenant, user=user).exists()


# --- Roles come from the same tenant ------------------------------------------------


def test_admin_cannot_assign_role_from_another_tenant(
    client: Client, acme: Any, member_of_acme: Any
) -> None:
    _as(client, *MEMBERSHIP_PERMS)
    other = OrgFactory(name="Elsewhere")
    membership = Membership.objects.get(tenant=acme, user=member_of_acme)
    url = f"/admin/tenants/membership/{membership.pk}/change/"
    form = admin_form(client, url)

    response = client.post(url, {**form, "role": _role(other, "owner").pk})

    assert response.status_code == 200
    assert "is not in tenant" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == _role(acme, "member")


def test_admin_cannot_assign_role_from_another_tenant_on_the_user_page(
    client: Client, acme: Any, member_of_acme: Any
) -> None:
    _as(client, "accounts.change_user", *MEMBERSHIP_PERMS)
    other = OrgFactory(name="Elsewhere")
    url = f"/admin/accounts/user/{member_of_acme.pk}/change/"
    form = admin_form(client, url)
    membership = Membership.objects.get(tenant=acme, user=member_of_acme)
    row = inline_row(form, "memberships", "id", membership.pk)

    response = client.post(url, {**form, f"{row}-role": _role(other, "owner").pk})

    assert response.status_code == 200
    assert "is not in tenant" in response.content.decode()
    assert Membership.objects.get(tenant=acme, user=member_of_acme).role.key == "member"


def test_admin_cannot_add_a_member_with_a_role_from_another_tenant(
    client: Client, acme: Any
) -> None:
    _as(client, *MEMBERSHIP_PERMS)
    other = OrgFactory(name="Elsewhere")
    newcomer = UserFactory()

    response = client.post(
        "/admin/tenants/membership/add/",
        {"user": newcomer.pk, "tenant": acme.pk, "role": _role(other, "owner").pk},
    )

    assert response.status_code == 200
    assert "is not in tenant" in response.content.decode()
    assert not Membership.objects.filter(tenant=acme, user=newcomer).exists()


def test_admin_cannot_move_a_membership_to_another_tenant_or_user(
    client: Client, acme: Any, member_of_acme: Any
) -> None:
    _as(client, *MEMBERSHIP_PERMS)
    other = OrgFactory(name="Elsewhere")
    membership = Membership.objects.get(tenant=acme, user=member_of_acme)
    url = f"/admin/tenants/membership/{membership.pk}/change/"
    form = admin_form(client, url)

    client.post(url, {**form, "tenant": other.pk, "user": UserFactory().pk})

    membership.refresh_from_db()
    assert (membership.tenant, membership.user) == (acme, member_of_acme)


# --- Plan caps hold -----------------------------------------------------------------


def test_admin_cannot_add_members_beyond_the_plan_cap(
    client: Client, acme: Any, three_seat_free_plan: Any
) -> None:
    add_member(acme)
    add_member(acme)  # 3 of 3 seats
    _as(client, "tenants.change_tenant", *MEMBERSHIP_PERMS)
    newcomer = UserFactory()
    url, form = _tenant_page(client, acme)
    total = int(form["memberships-TOTAL_FORMS"])
    row = f"memberships-{total}"

    response = client.post(
        url,
        {
            **form,
            "memberships-TOTAL_FORMS": str(total + 1),
            f"{row}-tenant": acme.pk,
            f"{row}-user": newcomer.pk,
            f"{row}-role": _role(acme, "member").pk,
        },
    )

    assert response.status_code == 200
    assert "The Free plan allows up to 3 members" in response.content.decode()
    assert not Membership.objects.filter(tenant=acme, user=newcomer).exists()


# --- What is allowed goes through the services and names the staff member ----------


def test_admin_member_changes_are_made_by_the_services_and_name_the_staff(
    client: Client, acme: Any, member_of_acme: Any
) -> None:
    staff = _as(client, "tenants.change_tenant", *MEMBERSHIP_PERMS)
    newcomer = UserFactory()
    membership = Membership.objects.get(tenant=acme, user=member_of_acme)
    url, form = _tenant_page(client, acme)
    row = inline_row(form, "memberships", "id", membership.pk)
    total = int(form["memberships-TOTAL_FORMS"])

    response = client.post(
        url,
        {
            **form,
            f"{row}-role": _role(acme, "admin").pk,
            "memberships-TOTAL_FORMS": str(total + 1),
            f"memberships-{total}-tenant": acme.pk,
            f"memberships-{total}-user": newcomer.pk,
            f"memberships-{total}-role": _role(acme, "member").pk,
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    membership.refresh_from_db()
    assert membership.role.key == "admin"
    assert Membership.objects.get(tenant=acme, user=newcomer).role.key == "member"
    events = AuditEvent.objects.filter(tenant=acme)
    assert set(events.values_list("action", "actor")) >= {
        ("member.role_changed", None),
        ("member.joined", None),
        ("staff.changed", staff.pk),
    }
    assert events.filter(action="staff.changed", actor=staff).count() == 2


def test_admin_moves_the_primary_contact_in_one_save(
    client: Client, acme: Any, owner: Any, admin_of_acme: Any
) -> None:
    _as(client, "tenants.change_tenant", *MEMBERSHIP_PERMS)
    old = _owner_membership(acme, owner)
    new = Membership.objects.get(tenant=acme, user=admin_of_acme)
    url, form = _tenant_page(client, acme)
    old_row = inline_row(form, "memberships", "id", old.pk)
    new_row = inline_row(form, "memberships", "id", new.pk)
    form.pop(f"{old_row}-is_primary_contact")  # unticked ...

    response = client.post(url, {**form, f"{new_row}-is_primary_contact": "on"})  # ... moved

    assert response.status_code == 302
    primary = Membership.objects.filter(tenant=acme, is_primary_contact=True)
    assert list(primary.values_list("user", flat=True)) == [admin_of_acme.pk]


def test_admin_cannot_leave_a_workspace_without_a_primary_contact(
    client: Client, acme: Any, owner: Any
) -> None:
    _as(client, *MEMBERSHIP_PERMS)
    membership = _owner_membership(acme, owner)
    url = f"/admin/tenants/membership/{membership.pk}/change/"
    form = admin_form(client, url)
    form.pop("is_primary_contact")

    response = client.post(url, form)

    assert response.status_code == 200
    assert "a workspace always has one" in response.content.decode()
    membership.refresh_from_db()
    assert membership.is_primary_contact


# --- Roles --------------------------------------------------------------------------


ROLE_PERMS = [f"tenants.{p}_role" for p in ("view", "add", "change", "delete")]


def test_admin_cannot_change_built_in_roles(client: Client, acme: Any) -> None:
    _as(client, *ROLE_PERMS)
    member = _role(acme, "member")

    response = client.post(
        f"/admin/tenants/role/{member.pk}/change/",
        {"tenant": acme.pk, "name": "Member", "permissions": ["billing.manage"]},
    )

    assert response.status_code == 403
    member.refresh_from_db()
    assert member.permissions == []


def test_admin_role_changes_go_through_the_role_services(client: Client, acme: Any) -> None:
    _as(client, *ROLE_PERMS)
    role = make_role(acme, "Support", ["audit.view"])
    url = f"/admin/tenants/role/{role.pk}/change/"

    clash = client.post(url, {"name": "owner", "permissions": ["audit.view"]})
    moved = client.post(url, {"name": "Helpdesk", "tenant": OrgFactory().pk, "permissions": []})

    assert clash.status_code == 200 and "already exists" in clash.content.decode()
    assert moved.status_code == 302
    role.refresh_from_db()
    assert (role.tenant, role.name, role.permissions) == (acme, "Helpdesk", [])
    event = AuditEvent.objects.get(tenant=acme, action="role.updated")
    assert event.after == {"name": "Helpdesk", "permissions": []}


def test_admin_cannot_delete_a_role_in_use(client: Client, acme: Any) -> None:
    _as(client, *ROLE_PERMS)
    role = make_role(acme, "Support", [])
    add_member(acme, role=role)

    single = client.post(f"/admin/tenants/role/{role.pk}/delete/", {"post": "yes"}, follow=True)
    bulk = client.post(
        "/admin/tenants/role/",
        {"action": "delete_selected_through_service", "_selected_action": [role.pk]},
        follow=True,
    )

    for response in (single, bulk):
        assert response.status_code == 200
        assert "is held by 1 member" in response.content.decode()
    assert Role.objects.filter(pk=role.pk).exists()


# --- Tenants ------------------------------------------------------------------------


def test_admin_cannot_put_a_tenant_on_another_account_or_delete_it_by_hand(
    client: Client, acme: Any
) -> None:
    _as(client, "tenants.view_tenant", "tenants.change_tenant")
    leech = OrgFactory(name="Leech")
    url, form = _tenant_page(client, leech)

    response = client.post(
        url,
        {
            **form,
            "name": "Leech Ltd",
            "account": acme.account_id,
            "kind": "personal",
            "deleted_at_0": "2025-01-01",
            "deleted_at_1": "00:00:00",
        },
    )

    assert response.status_code == 302
    leech.refresh_from_db()
    assert leech.name == "Leech Ltd"  # the allowed change is made, the forged ones are not
    assert leech.account_id != acme.account_id
    assert (leech.kind, leech.deleted_at) == ("org", None)


def _deleted_by_a_superuser(client: Client, acme: Any) -> None:
    """A superuser signed in on `client` soft-deletes `acme` with the admin's action."""
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    client.post(
        "/admin/tenants/tenant/",
        {"action": "soft_delete_orgs", "_selected_action": [acme.pk]},
    )
    acme.refresh_from_db()


def test_superusers_undo_a_soft_deletion(client: Client, acme: Any) -> None:
    _deleted_by_a_superuser(client, acme)
    assert acme.is_deleted
    url, form = _tenant_page(client, acme)

    response = client.post(url, {**form, "deleted_at_0": "", "deleted_at_1": ""})

    assert response.status_code == 302
    acme.refresh_from_db()
    assert not acme.is_deleted
    restored = AuditEvent.objects.get(tenant=acme, action="tenant.restored")
    assert restored.before.keys() == {"deleted_at"}


def test_an_organisation_whose_owners_cannot_act_is_not_restored(
    client: Client, acme: Any, owner: Any
) -> None:
    """It would come back with nobody able to run it (its only owner deleted their
    account or was deactivated since): staff make a member an owner first."""
    _deleted_by_a_superuser(client, acme)
    User.objects.filter(pk=owner.pk).update(is_active=False)
    url, form = _tenant_page(client, acme)

    response = client.post(url, {**form, "deleted_at_0": "", "deleted_at_1": ""})

    assert response.status_code == 200
    assert "has no owner who can act" in response.content.decode()
    acme.refresh_from_db()
    assert acme.is_deleted


def test_a_deleted_organisation_is_renamed_and_stays_deleted(client: Client, acme: Any) -> None:
    """The form sends the date back without its microseconds (the widget has none): the
    same deletion, not a rewritten one, so a rename saves."""
    _deleted_by_a_superuser(client, acme)
    deleted_at = acme.deleted_at
    url, form = _tenant_page(client, acme)

    response = client.post(url, {**form, "name": "Acme (closed)"})

    assert response.status_code == 302
    acme.refresh_from_db()
    assert (acme.name, acme.deleted_at) == ("Acme (closed)", deleted_at)


def test_the_date_of_a_deletion_is_not_rewritten(client: Client, acme: Any) -> None:
    """It starts the 30 days after which the files are purged: moving it would keep
    them, or purge them early."""
    _deleted_by_a_superuser(client, acme)
    deleted_at = acme.deleted_at
    url, form = _tenant_page(client, acme)

    response = client.post(url, {**form, "deleted_at_0": "2099-01-01", "deleted_at_1": "00:00"})

    assert response.status_code == 200
    assert "clear it to restore the organisation" in response.content.decode()
    acme.refresh_from_db()
    assert acme.deleted_at == deleted_at


def test_admin_renames_and_moves_tenants_through_the_services(client: Client, acme: Any) -> None:
    staff = _as(client, "tenants.view_tenant", "tenants.change_tenant")
    url, form = _tenant_page(client, acme)

    taken = client.post(url, {**form, "slug": OrgFactory(name="Taken").slug})
    response = client.post(url, {**form, "name": "Acme Ltd", "slug": "acme-ltd"})

    assert taken.status_code == 200 and "is already taken" in taken.content.decode()
    assert response.status_code == 302
    acme.refresh_from_db()
    assert (acme.name, acme.slug) == ("Acme Ltd", "acme-ltd")
    assert TenantSlugRedirect.objects.filter(tenant=acme, slug="acme").exists()
    actions = set(AuditEvent.objects.filter(tenant=acme).values_list("action", "actor"))
    assert actions >= {
        ("tenant.renamed", None),
        ("tenant.slug_changed", None),
        ("staff.changed", staff.pk),
    }


def test_admin_adds_an_organisation_with_its_owner(client: Client, user: Any) -> None:
    _as(client, "tenants.add_tenant", "tenants.change_tenant")

    unknown = client.post(
        "/admin/tenants/tenant/add/", {"name": "Globex", "owner": "nobody@example.com"}
    )
    response = client.post("/admin/tenants/tenant/add/", {"name": "Globex", "owner": user.email})

    assert unknown.status_code == 200 and "no active account" in unknown.content.decode()
    assert response.status_code == 302
    membership = Membership.objects.get(tenant__name="Globex")
    assert membership.user == user and membership.role.key == "owner"
    assert membership.is_primary_contact and membership.is_billing_contact


# --- Teams --------------------------------------------------------------------------


def test_admin_cannot_put_a_member_of_another_tenant_in_a_team(client: Client, acme: Any) -> None:
    _as(client, "tenants.view_team", "tenants.change_team", "tenants.add_teammember")
    team = make_team(acme, "Ops")
    outsider = add_member(OrgFactory(name="Elsewhere"))
    url = f"/admin/tenants/team/{team.pk}/change/"
    form = admin_form(client, url)

    response = client.post(
        url,
        {
            **form,
            "teammember_set-TOTAL_FORMS": "1",
            "teammember_set-0-team": team.pk,
            "teammember_set-0-membership": outsider.pk,
        },
    )

    assert response.status_code == 200
    assert "is not in tenant" in response.content.decode()
    assert not TeamMember.objects.filter(team=team).exists()


def test_admin_cannot_move_a_team_to_another_tenant(client: Client, acme: Any) -> None:
    _as(client, "tenants.view_team", "tenants.change_team")
    team = make_team(acme, "Ops")
    other = OrgFactory(name="Elsewhere")
    foreign_parent = make_team(other, "Theirs")
    url = f"/admin/tenants/team/{team.pk}/change/"
    form = admin_form(client, url)

    moved = client.post(url, {**form, "tenant": other.pk})
    nested = client.post(url, {**form, "parent": foreign_parent.pk})

    assert moved.status_code == 302
    assert nested.status_code == 200 and "is not in tenant" in nested.content.decode()
    team.refresh_from_db()
    assert (team.tenant, team.parent) == (acme, None)
    assert Team.objects.filter(tenant=other).count() == 1


# --- Old slugs ----------------------------------------------------------------------


def test_admin_cannot_add_move_or_delete_old_slugs(client: Client, acme: Any) -> None:
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    globex = OrgFactory(name="Globex")
    globex_owner = Membership.objects.get(tenant=globex, role__key="owner").user
    old = TenantSlugRedirect.objects.create(tenant=acme, slug="acme-old")
    admin_url = "/admin/tenants/tenantslugredirect/"

    squat = client.post(f"{admin_url}add/", {"slug": globex.slug, "tenant": acme.pk})
    short = client.post(f"{admin_url}add/", {"slug": "ab", "tenant": acme.pk})
    moved = client.post(f"{admin_url}{old.pk}/change/", {"slug": "acme-old", "tenant": globex.pk})
    freed = client.post(f"{admin_url}{old.pk}/delete/", {"post": "yes"})

    assert [r.status_code for r in (squat, short, moved, freed)] == [403, 403, 403, 403]
    assert list(TenantSlugRedirect.objects.values_list("slug", "tenant")) == [("acme-old", acme.pk)]
    client.force_login(globex_owner)  # Globex's owner can still move to a new URL
    response = client.post(f"/t/{globex.slug}/settings/url/", {"slug": "globex-inc"})
    assert response.status_code == 302
    assert TenantSlugRedirect.objects.filter(tenant=globex, slug="globex").exists()


def test_old_slugs_are_listed_searched_and_shown_in_the_admin(
    staff_client: Client, acme: Any
) -> None:
    old = TenantSlugRedirect.objects.create(tenant=acme, slug="acme-old")

    listing = staff_client.get("/admin/tenants/tenantslugredirect/", {"q": "acme-old"})
    detail = staff_client.get(f"/admin/tenants/tenantslugredirect/{old.pk}/change/")

    assert listing.status_code == 200
    assert f"/admin/tenants/tenantslugredirect/{old.pk}/change/" in listing.content.decode()
    assert detail.status_code == 200
    assert 'name="slug"' not in detail.content.decode()  # shown, not editable
