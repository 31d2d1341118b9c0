"""What each hot signed-in page costs in SQL statements and Redis round trips.

The counts are pinned exactly, so a new N+1 (or a query that sneaks into the layout)
fails here, and they must not grow with the data: the same with 1 as with 20 signed-in
devices, with 3 as with 40 members, and with no files as with 60 (two pages of
files). A change that
lowers a count updates PAGES.
The counts are of a repeat visit (the first visit after signing in records the
visit and the session's tenant; that write is tested in tests/tenants).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from tenants.models import Membership, Role, Team, TeamMember
from tests.tenants.test_queries import grow

pytestmark = pytest.mark.django_db

# page: (SQL statements, Redis round trips with REDIS_URL set)
PAGES: dict[str, tuple[int, int]] = {
    "org dashboard": (3, 1),
    "personal dashboard": (3, 1),
    "members": (7, 1),
    "devices": (3, 1),
    "files": (3, 1),
    "audit": (5, 1),  # the "Who" menu's members: one query, whatever their number
}

REDIS = "redis" in settings.CACHES["default"]["BACKEND"].lower()


def _url(page: str, owner: Any, acme: Any) -> str:
    return {
        "org dashboard": f"/t/{acme.slug}/",
        "personal dashboard": f"/t/{owner.personal_tenant.slug}/",
        "members": f"/t/{acme.slug}/members/",
        "devices": "/account/sessions/",
        "files": f"/t/{acme.slug}/files/",
        "audit": f"/t/{acme.slug}/audit/",
    }[page]


@pytest.fixture
def redis_round_trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every command redis-py writes to a socket (a pipeline or a script is one)."""
    from redis.connection import Connection

    sent: list[Any] = []
    original = Connection.send_packed_command

    def counting(conn: Connection, command: Any, *args: Any, **kwargs: Any) -> None:
        sent.append(command)
        original(conn, command, *args, **kwargs)

    monkeypatch.setattr(Connection, "send_packed_command", counting)
    yield sent


def _more_members(org: Any, n: int) -> None:
    """n more members in the org's teams, in bulk (as tests/tenants/test_queries.py)."""
    role = Role.objects.get(tenant=org, key="member")
    users = User.objects.bulk_create(
        [User(email=f"more{org.pk}-{i}@example.com", name=f"More {i}") for i in range(n)]
    )
    members = Membership.objects.bulk_create(
        [Membership(user=u, tenant=org, role=role) for u in users]
    )
    teams = list(Team.objects.filter(tenant=org))
    TeamMember.objects.bulk_create(
        [TeamMember(team=teams[i % len(teams)], membership=m) for i, m in enumerate(members)]
    )


def _files(org: Any, owner: Any, n: int) -> None:
    """n files in the org, rows only (no page opens the stored objects)."""
    from uploads.keys import upload_key_build
    from uploads.models import Upload

    Upload.objects.bulk_create(
        [
            Upload(
                tenant=org,
                uploaded_by=owner,
                key=upload_key_build(tenant_id=org.pk, extension="pdf"),
                original_filename=f"report-{i}.pdf",
                content_type="application/pdf",
                size=1_000 + i,
                checksum="0" * 64,
                kind=Upload.Kind.FILE,
            )
            for i in range(n)
        ]
    )


def _cost(client: Client, url: str, sent: list[Any]) -> tuple[int, int]:
    assert client.get(url).status_code == 200, url  # warm-up: the visit is recorded
    sent.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), len(sent)


@pytest.mark.parametrize("page", PAGES)
def test_each_page_costs_its_pinned_queries_and_no_more_with_more_data(
    page: str, owner: Any, acme: Any, owner_client: Client, redis_round_trips: list[Any]
) -> None:
    grow(acme, 3)  # 4 members in 5 teams
    url = _url(page, owner, acme)
    small = _cost(owner_client, url, redis_round_trips)

    _more_members(acme, 40)
    _files(acme, owner, 60)  # the overview's newest files, the files page's two pages
    for _ in range(19):
        Client().force_login(owner)  # 20 signed-in devices
    large = _cost(owner_client, url, redis_round_trips)

    sql, redis = PAGES[page]
    assert small == large, f"{page}: {small} with little data, {large} with more"
    assert small[0] == sql, f"{page}: {small[0]} SQL statements, pinned {sql}"
    if REDIS:
        assert small[1] == redis, f"{page}: {small[1]} Redis round trips, pinned {redis}"
