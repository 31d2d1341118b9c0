from __future__ import annotations

from typing import Any

import factory

from tenants.models import Membership, Role, Tenant
from tenants.services import tenant_create_org
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


def add_member(tenant: Tenant, user: Any = None, role_key: str = "member") -> Membership:
    """Put a user into a tenant with one of the built-in roles."""
    return Membership.objects.create(
        user=user or UserFactory(),
        tenant=tenant,
        role=Role.objects.get(tenant=tenant, key=role_key),
    )


def make_team(tenant: Tenant, name: str = "Team", parent: Any = None) -> Any:
    from tenants.services import team_create

    return team_create(tenant=tenant, name=name, parent=parent, acting_user=None)


def make_role(tenant: Tenant, name: str, permissions: list[str]) -> Role:
    """A custom role in a tenant (bypasses the org-only rule for tests of personal tenants)."""
    return Role.objects.create(tenant=tenant, name=name, permissions=permissions)
