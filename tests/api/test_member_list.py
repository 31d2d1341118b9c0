"""`GET /members` reads its rows as plain values through prebuilt SQL
(`api.selectors.member_rows`): the same members, fields and order as the ORM's list."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from api.routes.members import member_out
from api.selectors import member_rows
from tenants.models import Membership
from tests.api.conftest import World
from tests.tenants.factories import add_member, make_role

pytestmark = pytest.mark.django_db


def _orm_page(tenant: Any, *, after: int = 0, limit: int = 50) -> list[dict[str, Any]]:
    rows = (
        Membership.objects.for_tenant(tenant)
        .filter(pk__gt=after)
        .select_related("user", "role")
        .order_by("pk")[:limit]
    )
    return [member_out(m) for m in rows]


def test_rows_match_the_orms_members_field_by_field(world: World) -> None:
    tenant = world.acme.tenant
    helper = add_member(tenant, role=make_role(tenant, "Früh-Helfer", []))
    suspended = add_member(tenant, role_key="admin")
    Membership.objects.filter(pk=suspended.pk).update(
        suspended_at=timezone.now(), is_billing_contact=True
    )

    rows = member_rows(tenant=tenant, after=None, limit=50)

    assert rows == _orm_page(tenant)
    assert [r["id"] for r in rows][-2:] == [helper.pk, suspended.pk]
    assert rows[-1]["is_billing_contact"] is True and rows[-1]["role"]["name"] == "Admin"
    assert timezone.is_aware(rows[0]["joined_at"])
    assert {r["user"]["email"] for r in rows}.isdisjoint(
        member_out(m)["user"]["email"] for m in Membership.objects.for_tenant(world.globex.tenant)
    )


def test_rows_after_an_id_and_up_to_a_limit_are_the_orms(world: World) -> None:
    tenant = world.acme.tenant
    for _ in range(3):
        add_member(tenant)
    first = member_rows(tenant=tenant, after=None, limit=2)
    rest = member_rows(tenant=tenant, after=first[-1]["id"], limit=50)

    assert first == _orm_page(tenant, limit=2)
    assert rest == _orm_page(tenant, after=first[-1]["id"])
    assert len(first) + len(rest) == Membership.objects.for_tenant(tenant).count() == 5


def test_the_api_pages_through_every_member_as_the_orm_lists_them(
    world: World, api_as: Any
) -> None:
    tenant = world.acme.tenant
    for _ in range(3):
        add_member(tenant)
    api = api_as(world.acme.key)
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.get("/members", params=params).json()
        assert len(page["data"]) <= 2
        seen += page["data"]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    expected = _orm_page(tenant)
    assert [m["id"] for m in seen] == [m["id"] for m in expected]
    owner = seen[0]
    assert owner["user"] == expected[0]["user"]
    assert owner["role"] == {"id": expected[0]["role"]["id"], "name": "Owner"}
    assert owner["is_primary_contact"] is True
    # Sent as ISO 8601 in UTC, as every date of the API.
    assert owner["joined_at"].endswith("Z")
    assert owner["joined_at"].startswith(expected[0]["joined_at"].strftime("%Y-%m-%dT%H:%M:%S"))


def test_a_cursor_the_api_did_not_give_out_is_refused(world: World, api_as: Any) -> None:
    response = api_as(world.acme.key).get("/members", params={"cursor": "bm90LW91cnM"})
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/problem+json")
