"""Keys of two organisations, and a client that talks HTTP to the live test server.

`acme` (owned by `owner`) and `globex` (owned by `globex_owner`) each hold members,
a team, a custom role, an invitation and a file; tests take their ids from
`world`, so a request with one organisation's key names the other's objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile

from api.scopes import API_SCOPES
from api.services import api_key_create
from tenants.invitations import invitation_create
from tests.accounts.factories import UserFactory
from tests.tenants.factories import OrgFactory, add_member, make_role, make_team
from uploads.forms import FileUploadForm


def make_key(
    tenant: Any,
    creator: Any,
    scopes: list[str] | None = None,
    *,
    name: str = "Integration",
    expires_at: datetime | None = None,
) -> str:
    """A key through the service, as the page makes it; returns the whole key."""
    _, raw = api_key_create(
        tenant=tenant,
        name=name,
        scopes=list(API_SCOPES) if scopes is None else scopes,
        expires_at=expires_at,
        acting_user=creator,
    )
    return raw


def make_file(tenant: Any, user: Any, name: str = "notes.txt") -> Any:
    upload = SimpleUploadedFile(name, b"hello from " + tenant.name.encode(), "text/plain")
    form = FileUploadForm(data={}, files={"file": upload}, tenant=tenant)
    assert form.is_valid(), form.errors
    return form.save(uploaded_by=user)


@dataclass
class Org:
    tenant: Any
    owner: Any
    member: Any  # a Membership with the built-in member role
    team: Any
    role: Any
    invitation: Any
    file: Any
    key: str  # every permission

    def ids(self) -> dict[str, int]:
        return {
            "member_id": self.member.pk,
            "team_id": self.team.pk,
            "invitation_id": self.invitation.pk,
            "file_id": self.file.pk,
            "role_id": self.role.pk,
        }


def bearer(key: str) -> dict[str, str]:
    """The headers of a request made with `key`."""
    return {"Authorization": f"Bearer {key}"}


def build_org(name: str) -> Org:
    owner = UserFactory()
    tenant = OrgFactory(owner=owner, name=name)
    member = add_member(tenant)
    team = make_team(tenant, f"{name} team")
    role = make_role(tenant, f"{name} helpers", [])
    invitation = invitation_create(
        tenant=tenant, email=f"guest@{name.lower()}.example", role=role, acting_user=owner
    )
    return Org(
        tenant=tenant,
        owner=owner,
        member=member,
        team=team,
        role=role,
        invitation=invitation,
        file=make_file(tenant, owner),
        key=make_key(tenant, owner),
    )


@dataclass
class World:
    acme: Org
    globex: Org


@pytest.fixture
def world(transactional_db: None) -> World:
    return World(acme=build_org("Acme"), globex=build_org("Globex"))


class Api:
    """requests against the live server's /api/v1/ with one key."""

    def __init__(self, base: str, key: str | None) -> None:
        self.base, self.key = base, key

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        return {**headers, **(extra or {})}

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        headers = self.headers(kwargs.pop("headers", None))
        return requests.get(self.base + path, headers=headers, timeout=10, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        headers = self.headers(kwargs.pop("headers", None))
        return requests.post(self.base + path, headers=headers, timeout=10, **kwargs)


@pytest.fixture
def api_as(live_server: Any) -> Any:
    def make(key: str | None) -> Api:
        return Api(f"{live_server.url}/api/v1", key)

    return make
