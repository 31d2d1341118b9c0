"""Tenant pages cost the same number of queries with 1 member as with 200."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from tenants.models import Membership, Role, TeamMember
from tests.tenants.factories import OrgFactory, make_team

PAGES = ["", "members/", "teams/", "roles/", "settings/"]


def grow(org: Any, n: int) -> None:
    """Add n members, each in a team, and a few more teams and tenants.

    Rows in bulk rather than through the services (the one place in the suite): 200
    members per page would take seconds, and these tests count the queries of reads,
    which the members' audit rows and signals do not change."""
    role = Role.objects.get(tenant=org, key="member")
    users = User.objects.bulk_create(
        [User(email=f"bulk{org.pk}-{i}@example.com", name=f"Bulk {i}") for i in range(n)]
    )
    members = Membership.objects.bulk_create(
        [Membership(user=u, tenant=org, role=role) for u in users]
    )
    teams = [make_team(org, f"Team {i}") for i in range(5)]
    TeamMember.objects.bulk_create(
        [TeamMember(team=teams[i % 5], membership=m) for i, m in enumerate(members)]
    )


def count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_tenant_pages_are_constant_in_members_teams_and_tenants(
    client: Any, owner: Any, page: str, django_assert_max_num_queries: Any
) -> None:
    small = OrgFactory(owner=owner, name="Small")
    make_team(small, "Only team")
    big = OrgFactory(owner=owner, name="Big")
    make_team(big, "Only team")
    client.force_login(owner)
    baseline = count(client, f"/t/{small.slug}/{page}")

    grow(big, 200)
    for i in range(5):
        OrgFactory(owner=owner, name=f"Extra {i}")  # more tenants in the switcher
    client.get(f"/t/{big.slug}/{page}")  # warm-up: the session write after switching
    with django_assert_max_num_queries(baseline):
        response = client.get(f"/t/{big.slug}/{page}")
    assert response.status_code == 200
    if page == "members/":  # one page of the 201 members, the pages counted over all
        html = response.content.decode()
        assert html.count('id="member-') == 50
        assert "Page 1 of 5 · 201 members" in html


@pytest.mark.django_db
def test_the_tenant_list_is_constant_in_tenants(
    client: Any, owner: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(owner)
    baseline = count(client, "/account/tenants/")
    for i in range(10):
        grow(OrgFactory(owner=owner, name=f"Org {i}"), 3)
    with django_assert_max_num_queries(baseline):
        assert client.get("/account/tenants/").status_code == 200
