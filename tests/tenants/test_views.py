"""Tenant pages, driven as a person would: plain form posts and htmx requests."""

from __future__ import annotations

import re
from typing import Any

import pytest

from billing.models import Account
from tenants import services
from tenants.exceptions import EscalationError
from tenants.models import Membership, Role, Team, TeamMember, Tenant
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.billing.factories import subscribe
from tests.tenants.factories import OrgFactory, add_member, make_role, make_team

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_dashboard_shows_name_role_counts_teams_and_plan(owner_client: Any, acme: Any) -> None:
    make_team(acme, "Platform")
    html = owner_client.get(f"/t/{acme.slug}/").content.decode()
    assert "Acme" in html and "Owner" in html and "Platform" in html
    assert 'data-testid="member-count">1<' in html and ">Free<" in html


def test_the_header_switcher_lists_my_tenants(owner_client: Any, acme: Any, owner: Any) -> None:
    html = owner_client.get(f"/t/{acme.slug}/").content.decode()
    personal = Tenant.objects.get(personal_owner=owner)
    assert f'href="/t/{personal.slug}/"' in html and f'href="/t/{acme.slug}/"' in html


def test_members_page_lists_members_and_hides_controls_from_plain_members(
    client: Any, acme: Any, member_of_acme: Any, owner: Any
) -> None:
    client.force_login(member_of_acme)
    html = client.get(f"/t/{acme.slug}/members/").content.decode()
    assert owner.email in html and member_of_acme.email in html
    assert "/role/" not in html and "/remove/" not in html and "Leave workspace" in html


def test_changing_a_role_by_plain_post_and_by_htmx(
    owner_client: Any, acme: Any, member_of_acme: Any
) -> None:
    m = Membership.objects.get(tenant=acme, user=member_of_acme)
    admin = Role.objects.get(tenant=acme, key="admin")
    response = owner_client.post(f"/t/{acme.slug}/members/{m.pk}/role/", {"role": admin.pk})
    assert response.status_code == 302
    member = Role.objects.get(tenant=acme, key="member")
    row = owner_client.post(f"/t/{acme.slug}/members/{m.pk}/role/", {"role": member.pk}, **HTMX)
    assert row.status_code == 200 and f'id="member-{m.pk}"' in row.content.decode()
    assert "<html" not in row.content.decode()
    assert Membership.objects.get(pk=m.pk).role == member


def test_broken_rules_are_shown_in_place_for_htmx_and_as_messages_otherwise(
    owner_client: Any, acme: Any, owner: Any
) -> None:
    me = Membership.objects.get(tenant=acme, user=owner)
    admin = Role.objects.get(tenant=acme, key="admin")
    row = owner_client.post(f"/t/{acme.slug}/members/{me.pk}/role/", {"role": admin.pk}, **HTMX)
    assert "only owner" in row.content.decode()
    page = owner_client.post(
        f"/t/{acme.slug}/members/{me.pk}/role/", {"role": admin.pk}, follow=True
    )
    assert "only owner" in page.content.decode()


def test_a_role_from_another_tenant_is_a_clear_error(
    owner_client: Any, acme: Any, member_of_acme: Any, owner: Any
) -> None:
    m = Membership.objects.get(tenant=acme, user=member_of_acme)
    foreign = Role.objects.get(tenant=Tenant.objects.get(personal_owner=owner), key="admin")
    page = owner_client.post(
        f"/t/{acme.slug}/members/{m.pk}/role/", {"role": foreign.pk}, follow=True
    )
    assert "Choose one of this workspace" in page.content.decode()
    assert Membership.objects.get(pk=m.pk).role.key == "member"


def test_removing_a_member_with_htmx_removes_the_row(
    owner_client: Any, acme: Any, member_of_acme: Any
) -> None:
    m = Membership.objects.get(tenant=acme, user=member_of_acme)
    response = owner_client.post(f"/t/{acme.slug}/members/{m.pk}/remove/", **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    # Nothing takes the row's place; the rest of the answer is swapped out of band.
    assert f'id="member-{m.pk}"' not in body
    assert all("hx-swap-oob" in row for row in re.findall(r"<tr [^>]*>", body))
    assert not Membership.objects.filter(pk=m.pk).exists()


@pytest.mark.parametrize(("teams", "shown"), [(3, 3), (10, 5)])
def test_dashboard_counts_all_teams_and_lists_the_first_five(
    owner_client: Any, acme: Any, teams: int, shown: int
) -> None:
    for i in range(teams):
        make_team(acme, f"Team {i:02d}")

    html = owner_client.get(f"/t/{acme.slug}/").content.decode()

    assert f'data-testid="team-count">{teams}<' in html
    listed = html.split('data-testid="teams-card"', 1)[1].split("</section>", 1)[0]
    assert listed.count(">Team 0") == shown
    assert (f"Showing 5 of {teams} teams." in html) == (teams > shown)


def test_contacts_can_be_moved(owner_client: Any, acme: Any, member_of_acme: Any) -> None:
    m = Membership.objects.get(tenant=acme, user=member_of_acme)
    owner_client.post(f"/t/{acme.slug}/members/{m.pk}/primary/")
    owner_client.post(f"/t/{acme.slug}/members/{m.pk}/billing/", {"is_billing_contact": "on"})
    m.refresh_from_db()
    assert m.is_primary_contact and m.is_billing_contact


def _offers_primary(client: Any, acme: Any, membership: Membership) -> bool:
    page = client.get(f"/t/{acme.slug}/members/").content.decode()
    return f'action="/t/{acme.slug}/members/{membership.pk}/primary/"' in page


def test_an_admin_is_not_offered_make_primary_while_an_owner_is_the_contact(
    client: Any, acme: Any, admin_of_acme: Any, member_of_acme: Any
) -> None:
    """Making someone the primary contact takes it from the owner, whom an admin cannot
    manage: the button was offered, then refused with "Only an owner can…"."""
    m = Membership.objects.get(tenant=acme, user=member_of_acme)
    client.force_login(admin_of_acme)

    assert not _offers_primary(client, acme, m)
    with pytest.raises(EscalationError, match="is the primary contact and holds more"):
        services.membership_set_primary_contact(
            tenant=acme, membership=m, acting_user=admin_of_acme
        )


def test_an_admin_is_offered_make_primary_when_the_contact_is_in_their_reach(
    client: Any, acme: Any, owner: Any, admin_of_acme: Any, member_of_acme: Any
) -> None:
    contact = Membership.objects.get(tenant=acme, user=member_of_acme)
    services.membership_set_primary_contact(tenant=acme, membership=contact, acting_user=owner)
    bo = add_member(acme)
    client.force_login(admin_of_acme)

    assert _offers_primary(client, acme, bo)
    client.post(f"/t/{acme.slug}/members/{bo.pk}/primary/")
    bo.refresh_from_db()
    assert bo.is_primary_contact


def test_billing_contacts_are_changed_by_billing_managers_only(
    client: Any, acme: Any, admin_of_acme: Any
) -> None:
    """Admins manage members but not billing: they cannot make themselves billing contact."""
    mine = Membership.objects.get(tenant=acme, user=admin_of_acme)
    client.force_login(admin_of_acme)

    response = client.post(
        f"/t/{acme.slug}/members/{mine.pk}/billing/", {"is_billing_contact": "on"}
    )

    assert response.status_code == 403
    mine.refresh_from_db()
    assert not mine.is_billing_contact
    assert "Add billing" not in client.get(f"/t/{acme.slug}/members/").content.decode()


def test_a_member_can_leave(client: Any, acme: Any, member_of_acme: Any) -> None:
    client.force_login(member_of_acme)
    response = client.post(f"/t/{acme.slug}/members/leave/")
    assert response["Location"] == "/account/tenants/"
    assert not Membership.objects.filter(tenant=acme, user=member_of_acme).exists()


def test_roles_page_creates_edits_and_deletes_custom_roles(owner_client: Any, acme: Any) -> None:
    base = f"/t/{acme.slug}/roles/"
    assert (
        owner_client.post(
            base + "new/", {"name": "Editor", "permissions": ["teams.manage"]}
        ).status_code
        == 302
    )
    role = Role.objects.get(tenant=acme, name="Editor")
    assert role.permissions == ["teams.manage"]
    assert owner_client.get(f"{base}{role.pk}/").status_code == 200
    owner_client.post(f"{base}{role.pk}/", {"name": "Writer", "permissions": ["files.manage"]})
    role.refresh_from_db()
    assert (role.name, role.permissions) == ("Writer", ["files.manage"])
    owner_client.post(f"{base}{role.pk}/delete/")
    assert not Role.objects.filter(pk=role.pk).exists()


def test_role_form_errors_are_shown(owner_client: Any, acme: Any) -> None:
    html = owner_client.post(f"/t/{acme.slug}/roles/new/", {"name": "Admin"}).content.decode()
    assert "already exists" in html
    html = owner_client.post(
        f"/t/{acme.slug}/roles/new/", {"name": "X", "permissions": ["nope"]}
    ).content.decode()
    assert "not one of the available choices" in html


def test_a_role_in_use_is_not_deleted(owner_client: Any, acme: Any) -> None:
    role = make_role(acme, "Helper", [])
    add_member(acme, role=role)
    page = owner_client.post(f"/t/{acme.slug}/roles/{role.pk}/delete/", follow=True)
    assert "held by 1 member" in page.content.decode()
    assert Role.objects.filter(pk=role.pk).exists()


def test_teams_page_creates_nests_and_fills_teams(
    owner_client: Any, acme: Any, member_of_acme: Any
) -> None:
    base = f"/t/{acme.slug}/teams/"
    owner_client.post(base + "new/", {"name": "Engineering"})
    parent = Team.objects.get(tenant=acme, name="Engineering")
    owner_client.post(base + "new/", {"name": "Backend", "parent": parent.pk})
    child = Team.objects.get(tenant=acme, name="Backend")
    assert child.parent == parent
    m = Membership.objects.get(tenant=acme, user=member_of_acme)
    card = owner_client.post(f"{base}{child.pk}/members/", {"email": member_of_acme.email}, **HTMX)
    assert member_of_acme.email in card.content.decode() and "<html" not in card.content.decode()
    assert TeamMember.objects.filter(team=child, membership=m).exists()
    owner_client.post(f"{base}{child.pk}/members/{m.pk}/remove/")
    assert not TeamMember.objects.filter(team=child).exists()
    html = owner_client.post(
        f"{base}{parent.pk}/", {"name": "Engineering", "parent": child.pk}
    ).content.decode()
    assert "inside itself" in html
    # What was posted stays chosen beside its refusal (not "top level" by default).
    assert f'<option value="{child.pk}" selected>Backend</option>' in html
    deleted = owner_client.post(f"{base}{parent.pk}/delete/", follow=True).content.decode()
    child.refresh_from_db()
    assert child.parent is None
    assert "Team “Engineering” deleted; its sub-teams moved up a level." in deleted
    alone = owner_client.post(f"{base}{child.pk}/delete/", follow=True).content.decode()
    assert "Team “Backend” deleted." in alone and "sub-teams" not in alone


def test_a_team_s_settings_offer_only_the_parents_it_can_move_into(
    owner_client: Any, acme: Any
) -> None:
    """The "Inside team" options come as (id, name) pairs, not rows: its parent selected;
    neither itself nor a team inside it, at any depth (each would be refused as a
    cycle); another workspace's team refused by name."""
    base = f"/t/{acme.slug}/teams/"
    parent = make_team(acme, "Engineering")
    child = make_team(acme, "Backend & Ops", parent=parent)
    inside = make_team(acme, "On-call", parent=child)
    deeper = make_team(acme, "Weekend rota", parent=inside)
    make_team(acme, "Design")
    elsewhere = make_team(OrgFactory(name="Globex"), "Globex team")

    html = owner_client.get(f"{base}{child.pk}/").content.decode()
    select = html.split('name="parent"', 1)[1].split("</select>", 1)[0]

    assert f'<option value="{parent.pk}" selected>Engineering</option>' in select
    for not_offered in (child, inside, deeper):
        assert f'value="{not_offered.pk}"' not in select
    assert "Backend &amp; Ops" not in select and ">Design</option>" in select
    assert select.index("top level") < select.index(">Design<") < select.index(">Engineering<")
    refused = owner_client.post(f"{base}{child.pk}/", {"name": "Backend", "parent": elsewhere.pk})
    assert "Choose one of this workspace&#x27;s teams." in refused.content.decode()
    child.refresh_from_db()
    assert child.parent_id == parent.pk and child.name == "Backend & Ops"


def test_team_names_must_be_given(owner_client: Any, acme: Any) -> None:
    html = owner_client.post(f"/t/{acme.slug}/teams/new/", {"name": ""}).content.decode()
    assert "Give the team a name." in html


def test_settings_rename_and_slug_change(owner_client: Any, acme: Any) -> None:
    owner_client.post(f"/t/{acme.slug}/settings/rename/", {"name": "Acme Inc"})
    response = owner_client.post(f"/t/{acme.slug}/settings/url/", {"slug": "acme-inc"})
    assert response["Location"] == "/t/acme-inc/settings/"
    acme.refresh_from_db()
    assert (acme.name, acme.slug) == ("Acme Inc", "acme-inc")
    html = owner_client.post("/t/acme-inc/settings/url/", {"slug": "No Good"}).content.decode()
    assert "lower-case letters" in html


def test_deleting_an_org_needs_the_typed_slug(owner_client: Any, acme: Any) -> None:
    response = owner_client.post(f"/t/{acme.slug}/settings/delete/", {"confirmation": "acm"})
    assert response.status_code == 400 and "does not match" in response.content.decode()
    response = owner_client.post(f"/t/{acme.slug}/settings/delete/", {"confirmation": acme.slug})
    assert response["Location"] == "/account/tenants/"
    assert Tenant.objects.get(pk=acme.pk).deleted_at is not None


def test_settings_of_a_personal_tenant_offer_no_delete(client: Any, user: Any) -> None:
    personal = Tenant.objects.get(personal_owner=user)
    client.force_login(user)
    html = client.get(f"/t/{personal.slug}/settings/").content.decode()
    assert "Delete organisation" not in html and "cannot be deleted" in html
    assert (
        client.post(
            f"/t/{personal.slug}/settings/delete/", {"confirmation": personal.slug}
        ).status_code
        == 403
    )


def test_ownership_transfer_needs_the_password(
    owner_client: Any, acme: Any, member_of_acme: Any, owner: Any
) -> None:
    m = Membership.objects.get(tenant=acme, user=member_of_acme)
    url = f"/t/{acme.slug}/settings/transfer/"
    html = owner_client.post(url, {"membership": m.pk, "password": "wrong"}).content.decode()
    assert "That isn&#x27;t your current password." in html
    response = owner_client.post(url, {"membership": m.pk, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    lst = owner_client.get("/account/tenants/").content.decode()
    assert "Admin" in lst, "the old owner sees the new role in their list"


def test_tenant_list_and_org_creation(owner_client: Any, acme: Any, owner: Any) -> None:
    html = owner_client.get("/account/tenants/").content.decode()
    assert "Acme" in html and "Personal" in html
    form = owner_client.get("/account/tenants/new/").content.decode()
    assert "Existing: Acme" in form
    response = owner_client.post(
        "/account/tenants/new/", {"name": "Globex", "account": str(acme.account_id)}
    )
    globex = Tenant.objects.get(name="Globex")
    assert response["Location"] == f"/t/{globex.slug}/" and globex.account == acme.account
    html = owner_client.post(
        "/account/tenants/new/", {"name": "  ", "account": "new"}
    ).content.decode()
    assert "required" in html or "Give the organisation a name" in html
    html = owner_client.post(
        "/account/tenants/new/", {"name": "X", "account": "999999"}
    ).content.decode()
    assert "Choose a new account or one of the accounts listed." in html


def test_the_workspace_list_names_the_plan_in_force_in_the_readers_language(
    owner_client: Any, acme: Any, owner: Any, billing_on: Any
) -> None:
    """The plan column read the stored key ("business", capitalised by CSS): English in
    every language, and still "Business" after the subscription had ended."""
    globex = OrgFactory(owner=owner, name="Globex")
    subscribe(acme, "business")
    subscribe(globex, "business", status=Account.Status.CANCELED)
    type(owner).objects.filter(pk=owner.pk).update(language="ar")

    html = owner_client.get("/account/tenants/").content.decode()
    plans = re.findall(r'data-testid="plan">([^<]*)<', html)
    assert sorted(plans) == sorted(["بزنس", "مجانية", "مجانية"])  # Acme; Globex, personal
    assert "business" not in html.lower()


def test_workspace_and_account_tabs_mark_the_current_page(owner_client: Any, acme: Any) -> None:
    """One tab component: both tab bars say which page is open, for screen readers too."""
    base = f"/t/{acme.slug}/"
    members = owner_client.get(f"{base}members/").content.decode()
    assert f'<a class="tab" href="{base}members/" aria-current="page">Members</a>' in members
    assert f'<a class="tab" href="{base}teams/">Teams</a>' in members
    devices = owner_client.get("/account/sessions/").content.decode()
    assert '<a class="tab" href="/account/sessions/" aria-current="page">Devices</a>' in devices


def test_every_row_form_carries_a_csrf_token_that_is_accepted(
    acme: Any, owner: Any, member_of_acme: Any
) -> None:
    """The rows share one token input (rendered once per response): each form, on the page
    and in an htmx answer, still posts with a token that CSRF checking accepts."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    m = Membership.objects.get(tenant=acme, user=member_of_acme)
    admin, member = (Role.objects.get(tenant=acme, key=k) for k in ("admin", "member"))
    role_form = re.compile(
        rf'action="/t/{acme.slug}/members/{m.pk}/role/".*?'
        r'name="csrfmiddlewaretoken" value="([^"]+)"',
        re.S,
    )

    page = client.get(f"/t/{acme.slug}/members/").content.decode()
    forms = page.count(f'action="/t/{acme.slug}/members/')
    assert forms >= 3 and page.count('name="csrfmiddlewaretoken"') >= forms
    token = role_form.search(page).group(1)
    answer = client.post(
        f"/t/{acme.slug}/members/{m.pk}/role/",
        {"role": admin.pk, "csrfmiddlewaretoken": token},
        **HTMX,
    )
    assert answer.status_code == 200 and Membership.objects.get(pk=m.pk).role == admin

    row = answer.content.decode()
    token = role_form.search(row).group(1)  # the htmx answer's own forms work too
    again = client.post(
        f"/t/{acme.slug}/members/{m.pk}/role/",
        {"role": member.pk, "csrfmiddlewaretoken": token},
        **HTMX,
    )
    assert again.status_code == 200 and Membership.objects.get(pk=m.pk).role == member
    refused = client.post(f"/t/{acme.slug}/members/{m.pk}/role/", {"role": admin.pk}, **HTMX)
    assert refused.status_code == 403
