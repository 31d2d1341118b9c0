"""Tenant actions. Each owns its transaction and validates before writing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.crypto import get_random_string
from django.utils.text import slugify

from billing.models import Account
from tenants.models import Membership, Role, Tenant
from tenants.permissions import BUILTIN_ROLES

if TYPE_CHECKING:
    from accounts.models import User


def tenant_slug_for(name: str) -> str:
    """A free slug derived from the name (a random suffix on collision)."""
    base = slugify(name)[:48] or "workspace"
    slug = base
    while Tenant.objects.filter(slug=slug).exists():
        slug = f"{base}-{get_random_string(6, 'abcdefghijkmnpqrstuvwxyz23456789')}"
    return slug


def roles_create_builtin(*, tenant: Tenant) -> dict[str, Role]:
    """Every tenant starts with owner, admin, billing_admin and member."""
    return {
        key: Role.objects.create(tenant=tenant, key=key, name=name, permissions=list(perms))
        for key, (name, perms) in BUILTIN_ROLES.items()
    }


@transaction.atomic
def tenant_create_personal(*, user: User) -> Tenant:
    """The personal tenant that every user gets at sign-up (one per user)."""
    name = f"{user.name}'s workspace" if user.name else "Personal"
    account = Account.objects.create(name=name)
    tenant = Tenant(
        name=name,
        slug=tenant_slug_for(user.name or user.email.split("@")[0]),
        kind=Tenant.Kind.PERSONAL,
        personal_owner=user,
        account=account,
    )
    tenant.full_clean()
    tenant.save()
    roles = roles_create_builtin(tenant=tenant)
    Membership.objects.create(
        user=user,
        tenant=tenant,
        role=roles["owner"],
        is_primary_contact=True,
        is_billing_contact=True,
    )
    return tenant


@transaction.atomic
def tenant_create_org(*, owner: User, name: str, account: Account | None = None) -> Tenant:
    """An organisation owned by `owner`, paid for by a new account unless one is given."""
    account = account or Account.objects.create(name=name)
    tenant = Tenant(name=name, slug=tenant_slug_for(name), kind=Tenant.Kind.ORG, account=account)
    tenant.full_clean()
    tenant.save()
    roles = roles_create_builtin(tenant=tenant)
    Membership.objects.create(
        user=owner,
        tenant=tenant,
        role=roles["owner"],
        is_primary_contact=True,
        is_billing_contact=True,
    )
    return tenant
