"""Each tenant page enforces the permission it declares, against the role as it is now."""

from __future__ import annotations

import html
from typing import Any

import pytest

from core.permissions import ALL_PERMISSIONS, OWNER_ONLY_PERMISSIONS, permission_names
from tests.tenants.factories import OrgFactory, add_member, make_role, make_team
from tests.tenants.test_url_crawl import ROUTES, fill

GUARDED = [(r, p) for r, p in ROUTES if getattr(p.callback, "tenant_permission", None)]


def test_management_pages_declare_a_permission() -> None:
    guarded = {p.name for _, p in GUARDED}
    assert {
        "member-role",
        "member-remove",
        "role-create",
        "role-delete",
        "team-create",
        "team-delete",
        "rename",
        "slug",
        "delete",
    } <= guarded


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("route", "pattern"), GUARDED, ids=[r for r, _ in GUARDED])
def test_a_role_without_the_permission_gets_403(
    client: Any, db: None, route: str, pattern: Any, method: str
) -> None:
    org = OrgFactory()
    code = pattern.callback.tenant_permission
    held = [c for c in ALL_PERMISSIONS if c != code and c not in OWNER_ONLY_PERMISSIONS]
    role = make_role(org, "Almost all", held)
    m = add_member(org, role=role)
    team = make_team(org, "Team")
    client.force_login(m.user)
    url = f"/t/{org.slug}/" + fill(
        route,
        pattern,
        {"int": team.pk, "team_id": team.pk, "membership_id": m.pk, "role_id": role.pk},
    )
    response = getattr(client, method)(url)
    assert response.status_code in {403, 405}, f"{method.upper()} {url} -> {response.status_code}"
    if response.status_code == 403:
        page = html.unescape(response.content.decode())
        assert "You don't have access to this" in page
        # Which permission, whom to ask, and the way back to the workspace.
        name = permission_names([code])[0]
        assert f"Your role, Almost all, does not include “{name}”." in page, url
        assert f"Ask an owner or admin of {org.name} if you need it." in page
        assert f'href="/t/{org.slug}/" data-testid="back-to-workspace"' in page


def test_only_owners_may_transfer_ownership(client: Any, acme: Any, admin_of_acme: Any) -> None:
    client.force_login(admin_of_acme)
    response = client.post(f"/t/{acme.slug}/settings/transfer/", {"password": "x"})
    assert response.status_code == 403


def test_leave_needs_no_permission_but_personal_tenants_cannot_be_left(
    client: Any, user: Any
) -> None:
    from tenants.models import Tenant

    personal = Tenant.objects.get(personal_owner=user)
    client.force_login(user)
    response = client.post(f"/t/{personal.slug}/members/leave/", follow=True)
    assert "cannot leave" in response.content.decode()
