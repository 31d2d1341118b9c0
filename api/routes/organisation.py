"""The organisation the key belongs to, and its roles."""

from __future__ import annotations

from typing import Any

from ninja import Router

from api.auth import ApiRequest
from api.routes import ERRORS
from api.schemas import Organisation, RoleList
from billing.plans import plan_for_tenant
from tenants.models import Role
from tenants.selectors import role_list

router = Router(tags=["Organisation"])


@router.get("/organisation", response={200: Organisation, **ERRORS}, summary="The organisation")
def organisation_get(request: ApiRequest) -> Any:
    tenant = request.api_key.tenant
    return {
        "id": tenant.pk,
        "name": tenant.name,
        "slug": tenant.slug,
        "plan": plan_for_tenant(tenant).key,
        "created_at": tenant.created_at,
    }


@router.get("/roles", response={200: RoleList, **ERRORS}, summary="List roles")
def roles_list(request: ApiRequest) -> Any:
    return {"data": [role_out(role) for role in role_list(tenant=request.api_key.tenant)]}


def role_out(role: Role) -> dict[str, Any]:
    return {"id": role.pk, "name": role.name, "key": role.key, "permissions": role.permissions}
