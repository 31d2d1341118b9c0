"""The header's workspace switcher: the user's live workspaces, never a stale one.

Tenant pages read the list in TenantMiddleware's membership query (one prebuilt
statement with a JSON column); other pages in one query of their own. Both must list
exactly what the ORM lists, in its order, on every database. Past SWITCHER_WORKSPACES
it lists the personal workspace, the current one and the most recently visited, and
"All workspaces" says how many there are.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tenants.models import Membership, Role, Tenant
from tenants.selectors import (
    SWITCHER_WORKSPACES,
    Workspace,
    WorkspaceMenu,
    membership_for_request,
    membership_list_for_user,
    workspace_menu_for_user,
)
from tenants.services import membership_change_role, membership_remove, tenant_delete
from tests.tenants.factories import OrgFactory, add_member

pytestmark = pytest.mark.django_db


def orm_workspaces(user: Any) -> list[Workspace]:
    return [
        Workspace(
            tenant_id=m.tenant_id,
            slug=m.tenant.slug,
            name=m.tenant.name,
            kind=m.tenant.kind,
            logo=m.tenant.logo,
            role_name=m.role.name,
            role_key=m.role.key,
        )
        for m in membership_list_for_user(user=user)
    ]


def all_workspaces_link(html: str) -> str:
    """The text of the switcher's "All workspaces" link."""
    menu = html.split('data-testid="tenant-switcher"', 1)[1]
    return menu.split('data-testid="all-workspaces">', 1)[1].split("</a>", 1)[0]


def switcher_slugs(html: str) -> list[str]:
    """The workspaces the desktop switcher links to, in order."""
    menu = html.split('data-testid="tenant-switcher"', 1)[1].split("</details>", 1)[0]
    return [part.split("/", 1)[0] for part in menu.split('href="/t/')[1:]]


def test_the_prebuilt_list_matches_the_orm_in_order_with_logos_and_roles(owner: Any) -> None:
    # Names that sort differently by case and accents, a logo, a deleted org, a role.
    beta = OrgFactory(owner=owner, name="beta")
    alpha = OrgFactory(owner=owner, name="Álpha")
    OrgFactory(owner=owner, name="Zed")
    Tenant.objects.filter(pk=beta.pk).update(logo="tenant-1/logo.png")
    tenant_delete(tenant=OrgFactory(owner=owner, name="Gone"), acting_user=owner)
    elsewhere = OrgFactory(name="Elsewhere")
    add_member(elsewhere, owner, role_key="admin")

    expected = orm_workspaces(owner)

    assert len(expected) == 5  # personal, four live orgs; the deleted one is not listed
    assert workspace_menu_for_user(user=owner) == WorkspaceMenu(workspaces=tuple(expected), total=5)
    membership = membership_for_request(user=owner, slug=alpha.slug)
    assert membership is not None
    assert membership.switcher == WorkspaceMenu(workspaces=tuple(expected), total=5)
    assert expected[0].is_personal and not expected[1].is_personal


def test_a_user_without_workspaces_gets_an_empty_list(owner: Any) -> None:
    Tenant.objects.filter(personal_owner=owner).update(deleted_at="2026-01-01T00:00:00Z")

    assert workspace_menu_for_user(user=owner) == WorkspaceMenu(workspaces=(), total=0)


def test_a_removed_member_never_sees_the_org_in_the_switcher(
    client: Any, owner: Any, other_user: Any
) -> None:
    theirs = OrgFactory(owner=other_user, name="Their org")
    mine = OrgFactory(owner=owner, name="My org")
    membership = add_member(theirs, owner)
    client.force_login(owner)
    before = client.get(f"/t/{mine.slug}/").content.decode()
    assert theirs.slug in switcher_slugs(before)

    membership_remove(tenant=theirs, membership=membership, acting_user=other_user)

    # On the next request, on a tenant page and on a page outside any tenant.
    for page in (f"/t/{mine.slug}/", f"/t/{mine.slug}/members/", "/account/profile/"):
        html = client.get(page).content.decode()
        assert switcher_slugs(html), page
        assert theirs.slug not in switcher_slugs(html), page
        assert "Their org" not in html, page


def test_a_deleted_org_leaves_every_members_switcher(client: Any, owner: Any) -> None:
    doomed = OrgFactory(owner=owner, name="Doomed")
    mine = OrgFactory(owner=owner, name="Mine")
    client.force_login(owner)
    assert doomed.slug in switcher_slugs(client.get(f"/t/{mine.slug}/").content.decode())

    tenant_delete(tenant=doomed, acting_user=owner)

    assert doomed.slug not in switcher_slugs(client.get(f"/t/{mine.slug}/").content.decode())


def test_a_role_change_shows_in_the_switcher_on_the_next_request(
    client: Any, owner: Any, other_user: Any
) -> None:
    theirs = OrgFactory(owner=other_user, name="Their org")
    membership = add_member(theirs, owner, role_key="member")
    client.force_login(owner)
    assert (
        '<span class="badge badge-blue">Member</span>'
        in client.get("/account/profile/").content.decode()
    )

    membership_change_role(
        tenant=theirs,
        membership=membership,
        role=Role.objects.get(tenant=theirs, key="admin"),
        acting_user=other_user,
    )

    html = client.get(f"/t/{theirs.slug}/").content.decode()
    assert '<span class="badge badge-blue">Admin</span>' in html
    assert '<span class="badge badge-blue">Member</span>' not in html


def test_tenant_pages_read_the_switcher_with_the_membership(client: Any, owner: Any) -> None:
    org = OrgFactory(owner=owner, name="Acme")
    for i in range(3):
        OrgFactory(owner=owner, name=f"Other {i}")
    client.force_login(owner)
    client.get(f"/t/{org.slug}/settings/")  # the visit's write after switching

    with CaptureQueriesContext(connection) as queries:
        html = client.get(f"/t/{org.slug}/settings/").content.decode()

    assert len(switcher_slugs(html)) == 5
    statements = [q["sql"] for q in queries]
    # The switcher's order ("personal" first) appears only inside the membership lookup.
    assert [s for s in statements if "kind" in s and "DESC" in s] == [
        s for s in statements if s.startswith("SELECT m.") and "wt.kind DESC" in s
    ]
    assert len([s for s in statements if s.startswith("SELECT m.")]) == 1


def many_workspaces(owner: Any, count: int) -> list[Tenant]:
    """`count` organisations of `owner`, "Org 00", "Org 01", …, none visited yet."""
    return [OrgFactory(owner=owner, name=f"Org {i:02}") for i in range(count)]


def visited(owner: Any, tenants: list[Tenant]) -> None:
    """Visit `tenants` in order, the last one most recently."""
    start = timezone.now() - timedelta(days=1)
    for i, tenant in enumerate(tenants):
        Membership.objects.filter(user=owner, tenant=tenant).update(
            last_visited_at=start + timedelta(minutes=i)
        )


def test_up_to_the_cap_every_workspace_is_listed_and_the_link_has_no_count(
    client: Any, owner: Any
) -> None:
    orgs = many_workspaces(owner, SWITCHER_WORKSPACES - 1)  # and the personal one
    client.force_login(owner)

    html = client.get(f"/t/{orgs[0].slug}/").content.decode()

    assert len(switcher_slugs(html)) == SWITCHER_WORKSPACES
    assert all_workspaces_link(html) == "All workspaces"
    assert workspace_menu_for_user(user=owner).hidden == 0


def test_past_the_cap_it_lists_personal_current_and_most_recent_in_the_usual_order(
    owner: Any,
) -> None:
    orgs = many_workspaces(owner, 30)
    order = orgs[:20] + orgs[20:][::-1]  # visited in this order: Org 20 most recently
    visited(owner, order)
    current = orgs[0]  # visited least recently of all
    personal = Tenant.objects.get(personal_owner=owner)
    by_name = lambda tenants: sorted(tenants, key=lambda t: t.name)  # noqa: E731

    membership = membership_for_request(user=owner, slug=current.slug)
    assert membership is not None

    menu = membership.switcher
    expected = [personal, current, *by_name(order[-(SWITCHER_WORKSPACES - 2) :])]
    assert [w.tenant_id for w in menu] == [t.pk for t in expected]
    assert (menu.total, menu.hidden) == (31, 31 - SWITCHER_WORKSPACES)
    # Outside a tenant there is no current one: one more of the most recent.
    outside = workspace_menu_for_user(user=owner)
    expected = [personal, *by_name(order[-(SWITCHER_WORKSPACES - 1) :])]
    assert [w.tenant_id for w in outside] == [t.pk for t in expected]
    assert outside.total == 31


def test_past_the_cap_never_visited_workspaces_come_by_name(owner: Any) -> None:
    orgs = many_workspaces(owner, 15)
    visited(owner, [orgs[14]])

    menu = workspace_menu_for_user(user=owner)

    # The personal one, the one visited, then the first by name.
    names = [w.name for w in menu][1:]
    assert names == [f"Org {i:02}" for i in range(SWITCHER_WORKSPACES - 2)] + ["Org 14"]


def test_past_the_cap_the_menu_says_how_many_and_a_switch_brings_the_workspace_in(
    client: Any, owner: Any
) -> None:
    orgs = many_workspaces(owner, 20)
    visited(owner, orgs[:10])
    client.force_login(owner)

    html = client.get(f"/t/{orgs[9].slug}/").content.decode()
    assert orgs[15].slug not in switcher_slugs(html)
    assert all_workspaces_link(html) == "All 21 workspaces"
    assert "All 21 workspaces" in client.get("/account/profile/").content.decode()
    listed = client.get("/account/tenants/").content.decode()
    assert all(f"/t/{org.slug}/" in listed for org in orgs)  # the link lists every one

    # Opening one from "All workspaces" puts it in the menu there and on later pages.
    html = client.get(f"/t/{orgs[15].slug}/").content.decode()
    assert orgs[15].slug in switcher_slugs(html)
    assert len(switcher_slugs(html)) == SWITCHER_WORKSPACES
    html = client.get(f"/t/{orgs[9].slug}/").content.decode()
    assert orgs[15].slug in switcher_slugs(html)


def test_past_the_cap_a_removed_member_still_never_sees_the_org(
    client: Any, owner: Any, other_user: Any
) -> None:
    theirs = OrgFactory(owner=other_user, name="Their org")
    membership = add_member(theirs, owner)
    orgs = many_workspaces(owner, 15)
    visited(owner, [*orgs[:3], theirs])
    client.force_login(owner)
    assert theirs.slug in switcher_slugs(client.get(f"/t/{orgs[0].slug}/").content.decode())

    membership_remove(tenant=theirs, membership=membership, acting_user=other_user)

    html = client.get(f"/t/{orgs[0].slug}/").content.decode()
    assert theirs.slug not in switcher_slugs(html)
    assert len(switcher_slugs(html)) == SWITCHER_WORKSPACES
    assert all_workspaces_link(html) == "All 16 workspaces"


def test_roles_are_named_in_the_reader_s_language_custom_ones_as_typed(
    client: Any, owner: Any, other_user: Any
) -> None:
    from accounts.models import User
    from tests.tenants.factories import make_role

    mine = OrgFactory(owner=owner, name="Mine")
    theirs = OrgFactory(owner=other_user, name="Theirs")
    add_member(theirs, owner, role=make_role(theirs, "Owner of nothing", []))
    User.objects.filter(pk=owner.pk).update(language="de")
    client.force_login(owner)

    html = client.get(f"/t/{mine.slug}/").content.decode()
    menu = html.split('data-testid="tenant-switcher"', 1)[1].split("</details>", 1)[0]
    assert '<span class="badge badge-blue">Inhaber</span>' in menu  # Owner, built in
    assert '<span class="badge badge-blue">Owner of nothing</span>' in menu  # as typed
    assert ">Owner<" not in menu
