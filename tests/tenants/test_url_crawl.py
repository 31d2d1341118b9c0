"""Every URL under /t/<slug>/, taken from the URL resolver, is tenant-checked.

A new page added under t/<slug:tenant_slug>/ (here or by uploads/billing) is
picked up automatically; if it skips the tenant checks, these tests fail.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tenants.invitations import invitation_create
from tenants.models import Invitation, Membership, Role, Team, Tenant
from tests.accounts.factories import UserFactory
from tests.tenants.factories import OrgFactory, add_member, make_role, make_team

TENANT_PREFIX = "t/<slug:tenant_slug>/"


def _walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, Any]]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def tenant_routes() -> list[tuple[str, Any]]:
    """(route, pattern) for every view under the tenant prefix."""
    root = get_resolver()
    for entry in root.url_patterns:
        if isinstance(entry, URLResolver) and str(entry.pattern) == TENANT_PREFIX:
            return list(_walk(entry.url_patterns, ""))
    raise AssertionError(f"No {TENANT_PREFIX} include in the root URLconf")


ROUTES = tenant_routes()


def fill(route: str, pattern: Any, samples: dict[str, Any]) -> str:
    """Replace each <converter:name> with a sample value of the right shape."""
    url = route
    for name, converter in pattern.pattern.converters.items():
        kind = type(converter).__name__
        value = samples.get(name)
        if value is None:
            value = {
                "IntConverter": samples["int"],
                "UUIDConverter": uuid.uuid4(),
                "PathConverter": "sample/file.txt",
            }.get(kind, "sample")
        start = url.index(f":{name}>") if f":{name}>" in url else url.index(f"<{name}>")
        open_at = url.rindex("<", 0, start + 1)
        close_at = url.index(">", start) + 1
        url = url[:open_at] + str(converter.to_url(value)) + url[close_at:]
    return url


@pytest.fixture
def victim(db: None) -> dict[str, Any]:
    """A tenant full of objects; its ids are what the crawl uses."""
    owner = UserFactory()
    org = OrgFactory(owner=owner, name="Victim")
    team = make_team(org, "Secret team")
    member = add_member(org)
    role = make_role(org, "Custom", [])
    invitation = invitation_create(
        tenant=org, email="invitee@example.com", role=role, acting_user=owner
    )
    return {
        "tenant": org,
        "samples": {
            "int": team.pk,
            "team_id": team.pk,
            "membership_id": member.pk,
            "role_id": role.pk,
            "invitation_id": invitation.pk,
            "tenant_id": org.pk,
        },
    }


def test_the_crawl_finds_the_tenant_pages() -> None:
    names = {p.name for _, p in ROUTES}
    assert {"dashboard", "members", "roles", "teams", "settings", "team-edit"} <= names
    assert {"invite-create", "invite-resend", "invite-cancel"} <= names


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("route", "pattern"), ROUTES, ids=[r or "/" for r, _ in ROUTES])
def test_a_member_of_another_tenant_gets_404_everywhere(
    client: Any, victim: dict[str, Any], route: str, pattern: Any, method: str
) -> None:
    outsider = UserFactory()
    OrgFactory(owner=outsider)  # a member of other tenants, just not this one
    client.force_login(outsider)
    url = f"/t/{victim['tenant'].slug}/" + fill(route, pattern, victim["samples"])
    response = getattr(client, method)(url)
    assert response.status_code == 404, f"{method.upper()} {url} -> {response.status_code}"


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("route", "pattern"), ROUTES, ids=[r or "/" for r, _ in ROUTES])
def test_anonymous_visitors_are_sent_to_sign_in_everywhere(
    client: Any, victim: dict[str, Any], route: str, pattern: Any, method: str
) -> None:
    url = f"/t/{victim['tenant'].slug}/" + fill(route, pattern, victim["samples"])
    response = getattr(client, method)(url)
    assert response.status_code == 302, f"{method.upper()} {url} -> {response.status_code}"
    assert response["Location"].startswith("/auth/sign-in/?next=")


OBJECT_ROUTES = [(r, p) for r, p in ROUTES if p.pattern.converters]


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    ("route", "pattern"), OBJECT_ROUTES, ids=[r for r, _ in OBJECT_ROUTES] or None
)
def test_an_owner_cannot_reach_another_tenants_objects_through_their_own_tenant(
    client: Any, victim: dict[str, Any], route: str, pattern: Any, method: str
) -> None:
    """Ids of the victim's objects under the attacker's own slug: 404 (or 405 when the
    method is not one the view accepts), never the object."""
    attacker = UserFactory()
    own = OrgFactory(owner=attacker)
    make_team(own, "Own team")
    client.force_login(attacker)
    url = f"/t/{own.slug}/" + fill(route, pattern, victim["samples"])
    response = getattr(client, method)(url)
    assert response.status_code in {404, 405}, f"{method.upper()} {url} -> {response.status_code}"
    assert Team.objects.filter(tenant=victim["tenant"], name="Secret team").exists()
    assert Membership.objects.filter(pk=victim["samples"]["membership_id"]).exists()
    assert Role.objects.filter(pk=victim["samples"]["role_id"]).exists()
    assert Invitation.objects.get(pk=victim["samples"]["invitation_id"]).status == "pending"
    victim_account = Tenant.objects.values_list("account_id", flat=True).get(pk=victim["tenant"].pk)
    assert victim_account == victim["tenant"].account_id
