"""Tenants, members, roles and teams made through the services, as the app makes them:
each writes its audit row and sends its signals (on commit, like in production)."""

from __future__ import annotations

from typing import Any

import factory

from tenants.models import Membership, Role, Team, Tenant
from tenants.services import membership_create, role_create, team_create, tenant_create_org
from tests.accounts.factories import UserFactory


class OrgFactory(factory.Factory):
    """An organisation created through the service (built-in roles, owner membership)."""

    class Meta:
        model = Tenant

    name = factory.Sequence(lambda n: f"Org {n}")
    owner = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class: type[Tenant], *args: Any, **kwargs: Any) -> Tenant:
        return tenant_create_org(owner=kwargs["owner"], name=kwargs["name"])


def add_member(
    tenant: Tenant, user: Any = None, role_key: str = "member", *, role: Role | None = None
) -> Membership:
    """Put a user (a new one by default) into an org with a built-in role, or with
    `role`, as the system would (no acting user)."""
    return membership_create(
        tenant=tenant,
        user=user or UserFactory(),
        role=role or Role.objects.get(tenant=tenant, key=role_key),
        acting_user=None,
    )


def make_team(tenant: Tenant, name: str = "Team", parent: Team | None = None) -> Team:
    return team_create(tenant=tenant, name=name, parent=parent, acting_user=None)


def make_role(tenant: Tenant, name: str, permissions: list[str]) -> Role:
    """A custom role in an org."""
    return role_create(tenant=tenant, name=name, permissions=permissions, acting_user=None)
