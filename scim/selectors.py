"""Reads of the SCIM directory: the token's organisation, provisioned users and groups,
and the filtered, paginated lists the IdP asks for."""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import QuerySet
from scim2_models import ScimFilter
from scim2_models.path import CompareOperator, Comparison

from scim.exceptions import ScimNotFound
from scim.models import Directory, ScimGroup, ScimUser
from scim.tokens import token_hash
from tenants.models import Tenant

T = TypeVar("T")


def directory_for_token(*, org_slug: str, raw_token: str) -> Directory | None:
    """The directory of the organisation in the URL, if this is its token (a valid
    token of another organisation opens nothing). One indexed query; the hashes are
    compared in constant time."""
    if not raw_token:
        return None
    directory = (
        Directory.objects.select_related("tenant")
        .filter(
            tenant__slug=org_slug,
            tenant__kind=Tenant.Kind.ORG,
            tenant__deleted_at__isnull=True,
        )
        .first()
    )
    if directory is None or not hmac.compare_digest(directory.token_hash, token_hash(raw_token)):
        return None
    return directory


def directory_get(*, tenant: Tenant) -> Directory | None:
    return Directory.objects.for_tenant(tenant).first()


def _by_scim_id(queryset: QuerySet[Any], scim_id: str) -> Any:
    try:
        key = uuid.UUID(scim_id)
    except ValueError:
        raise ScimNotFound() from None
    found = queryset.filter(scim_id=key).first()
    if found is None:
        raise ScimNotFound()
    return found


def scim_users(*, tenant: Tenant) -> QuerySet[ScimUser]:
    return (
        ScimUser.objects.for_tenant(tenant)
        .select_related("membership__user", "membership__role", "membership__tenant")
        .order_by("created_at", "pk")
    )


def scim_user_get(*, tenant: Tenant, scim_id: str) -> ScimUser:
    """A provisioned user of this organisation, or ScimNotFound (also another org's)."""
    return _by_scim_id(scim_users(tenant=tenant), scim_id)


def scim_groups(*, tenant: Tenant) -> QuerySet[ScimGroup]:
    return (
        ScimGroup.objects.for_tenant(tenant)
        .select_related("team__parent")
        .order_by("created_at", "pk")
    )


def scim_group_get(*, tenant: Tenant, scim_id: str) -> ScimGroup:
    return _by_scim_id(scim_groups(tenant=tenant), scim_id)


def scim_group_members(*, group: ScimGroup) -> list[ScimUser]:
    """The team's members that the directory provisioned (hand-added ones are not
    SCIM resources), as the Group's `members`."""
    return list(
        ScimUser.objects.filter(membership__teams=group.team)
        .select_related("membership__user")
        .order_by("created_at", "pk")
    )


# attribute (lower-cased) -> the column an `eq` on it narrows, before the exact match.
USER_COLUMNS = {"username": "user_name", "externalid": "external_id"}
GROUP_COLUMNS = {"displayname": "team__name", "externalid": "external_id"}


def narrow(
    queryset: QuerySet[Any], scim_filter: ScimFilter | None, *, columns: dict[str, str]
) -> QuerySet[Any]:
    """Let the database pick the candidates of the filters IdPs send (`userName eq`,
    `externalId eq`, `displayName eq`, `id eq`); scim2-models then matches each
    candidate (`matching`), so every other filter works too, over the whole list."""
    node = scim_filter.ast if scim_filter is not None else None
    if not isinstance(node, Comparison) or node.op != CompareOperator.eq:
        return queryset
    if node.attr_path.sub_attr or not isinstance(node.value, str):
        return queryset
    attr = node.attr_path.attr.lower()
    if attr == "id":
        try:
            return queryset.filter(scim_id=uuid.UUID(node.value))
        except ValueError:
            return queryset.none()
    column = columns.get(attr)
    if column is None:
        return queryset
    return queryset.filter(**{f"{column}__iexact": node.value})


def matching(
    rows: QuerySet[Any], scim_filter: ScimFilter | None, to_resource: Callable[[Any], T]
) -> list[T]:
    resources = [to_resource(row) for row in rows]
    if scim_filter is None:
        return resources
    return [r for r in resources if scim_filter.match(r)]
