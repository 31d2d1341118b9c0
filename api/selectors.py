"""Reads for the API-key pages and the API's own lists (cursor-paginated by id)."""

from __future__ import annotations

from functools import cache
from typing import Any, cast

from django.db import connection
from django.db.models import Field, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from api.keys import key_parse, secret_matches
from api.models import ApiKey
from api.schemas import member_answer
from billing.models import Account
from core.prebuilt_sql import fetch_one, fetch_values, json_value, select_list, table
from mfa.models import Passkey, TOTPDevice
from mfa.selectors import two_factor_enabled
from tenants.middleware_two_factor import requirement_in_force
from tenants.models import Membership, Role, Tenant


def api_key_list(*, tenant: Tenant) -> QuerySet[ApiKey]:
    """The organisation's keys, live ones first, newest first, with their creator."""
    return (
        ApiKey.objects.for_tenant(tenant)
        .select_related("created_by")
        .order_by("revoked_at", "-created_at", "-pk")
    )


def api_key_get(*, tenant: Tenant, key_id: int) -> ApiKey:
    return get_object_or_404(ApiKey.objects.for_tenant(tenant), pk=key_id)


def permissions_in_effect(
    *, scopes: list[str], creator_permissions: list[str] | None
) -> list[str] | None:
    """What a key may do now: the scopes chosen for it that its creator's role still
    holds, so demoting someone narrows the keys they made at once. None when the creator
    is no longer an active member (removed, left, suspended, deactivated, account
    deleted): a key never outlives its maker's access, or a departed employee's
    integration could keep changing the organisation."""
    if creator_permissions is None:
        return None
    held = set(creator_permissions)
    return [code for code in scopes if code in held]


def two_factor_shuts_out(*, tenant: Tenant, has_two_factor: bool) -> bool:
    """Whether the organisation's two-factor requirement shuts a member without a second
    factor out now (required, and its grace period over): what its pages do to them
    (tenants.middleware_two_factor), their keys do too."""
    return not has_two_factor and requirement_in_force(
        required_at=tenant.two_factor_required_at, grace_until=tenant.two_factor_grace_until
    )


def api_key_for_secret(*, raw: str) -> ApiKey | None:
    """The key `raw` proves, with its live tenant and billing account, its creator's
    permissions now (`key.creator_permissions`, None for no active member) and whether
    the organisation's two-factor requirement shuts its creator out
    (`key.creator_needs_two_factor`), in one query; or None: unknown, wrong secret, or
    its organisation deleted. Revoked and expired keys are returned; the caller refuses
    them."""
    parsed = key_parse(raw)
    if parsed is None:
        return None
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    found = fetch_one(_api_key_sql(), [now, parsed.public_id], [ApiKey, Tenant, Account])
    if found is None:
        return None
    key: ApiKey
    tenant: Tenant
    account: Account
    key, tenant, account, creator_permissions, shut_out = found
    if not secret_matches(parsed.secret, key.secret_hash):
        return None
    tenant.account = account
    key.tenant = tenant
    key.creator_permissions = (
        None if creator_permissions is None else list(json_value(creator_permissions))
    )
    key.creator_needs_two_factor = bool(shut_out)
    return key


def api_key_creator_permissions(*, tenant: Tenant, keys: list[ApiKey]) -> None:
    """Set `creator_permissions` and `creator_needs_two_factor` on each of the page's keys
    (one query), as `api_key_for_secret` does for a request: what each creator's role
    holds now (None when they are no longer an active member), and whether the
    organisation's two-factor requirement shuts them out."""
    held = {
        user_id: (permissions, has_two_factor, joined_at)
        for user_id, permissions, has_two_factor, joined_at in Membership.objects.for_tenant(tenant)
        .filter(
            user_id__in={key.created_by_id for key in keys if key.created_by_id},
            suspended_at__isnull=True,
            user__is_active=True,
        )
        .annotate(two_factor=two_factor_enabled("user"))
        .values_list("user_id", "role__permissions", "two_factor", "joined_at")
    }
    for key in keys:
        permissions, has_two_factor, joined_at = held.get(
            key.created_by_id or 0, (None, True, None)
        )
        made_under = joined_at is not None and joined_at <= key.created_at
        key.creator_permissions = permissions if made_under else None
        key.creator_needs_two_factor = two_factor_shuts_out(
            tenant=tenant, has_two_factor=has_two_factor
        )


@cache
def _api_key_sql() -> str:
    """`ApiKey.objects.select_related("tenant", "tenant__account").get(public_id=…,
    tenant__deleted_at__isnull=True)` written out once: every API request runs it, and
    compiling it cost the ORM more than the API's own page (bench/page_cpu.py). Its
    last columns, read in the same statement, are the creator's role's permissions while
    they are an active member by the membership the key was made under (NULL otherwise:
    one who left and came back, in whatever role, does not revive a key they kept) and
    whether the organisation's two-factor requirement shuts them out now
    (`two_factor_shuts_out`: required, grace over — the first parameter is now — and
    neither an app nor a passkey)."""
    # Identifiers come from model metadata; now and the public id are query parameters.
    shut_out = (
        "CASE WHEN t.two_factor_required_at IS NOT NULL "  # noqa: S608
        "AND (t.two_factor_grace_until IS NULL OR t.two_factor_grace_until <= %s) "
        f"AND NOT EXISTS (SELECT 1 FROM {table(TOTPDevice)} d "
        "WHERE d.user_id = k.created_by_id AND d.confirmed_at IS NOT NULL) "
        f"AND NOT EXISTS (SELECT 1 FROM {table(Passkey)} p "
        "WHERE p.user_id = k.created_by_id) THEN 1 ELSE 0 END"
    )
    creator = (
        f"(SELECT r.permissions FROM {table(Membership)} m "  # noqa: S608
        f"INNER JOIN {table(Role)} r ON r.id = m.role_id "
        f"INNER JOIN {table(User)} u ON u.id = m.user_id "
        "WHERE m.tenant_id = k.tenant_id AND m.user_id = k.created_by_id "
        "AND m.joined_at <= k.created_at AND m.suspended_at IS NULL AND u.is_active)"
    )
    return (
        f"SELECT {select_list(ApiKey, 'k')}, {select_list(Tenant, 't')}, "  # noqa: S608
        f"{select_list(Account, 'a')}, {creator}, {shut_out} FROM {table(ApiKey)} k "
        f"INNER JOIN {table(Tenant)} t ON t.id = k.tenant_id "
        f"INNER JOIN {table(Account)} a ON a.id = t.account_id "
        "WHERE k.public_id = %s AND t.deleted_at IS NULL"
    )


def member_rows(*, tenant: Tenant, after: int | None, limit: int) -> list[dict[str, Any]]:
    """Up to `limit` of the organisation's members after the id `after`, by id, shaped as
    the API's `Member`: `GET /members` is the API's busiest list, and building three
    model instances per row and compiling the ORM's query cost more than the rest of
    the request (docs/performance.md). Suspended members are listed, as by the ORM."""
    rows = fetch_values(
        _member_rows_sql(),
        [tenant.pk, after or 0, limit],
        [field for _, field in _member_columns()],
    )
    members = []
    for row in rows:
        membership_id, user_id, email, name, role_id, role_name, primary, billing, joined = row
        members.append(
            member_answer(
                membership_id=membership_id,
                user_id=user_id,
                email=email,
                name=name,
                role_id=role_id,
                role_name=role_name,
                is_primary_contact=primary,
                is_billing_contact=billing,
                joined_at=joined,
            )
        )
    return members


@cache
def _member_columns() -> tuple[tuple[str, Field[Any, Any]], ...]:
    """The API's columns of a member, each with its table's alias in `_member_rows_sql`."""
    membership, user, role = Membership._meta, User._meta, Role._meta
    return (
        ("m", membership.get_field("id")),
        ("u", user.get_field("id")),
        ("u", user.get_field("email")),
        ("u", user.get_field("name")),
        ("r", role.get_field("id")),
        ("r", role.get_field("name")),
        ("m", membership.get_field("is_primary_contact")),
        ("m", membership.get_field("is_billing_contact")),
        ("m", membership.get_field("joined_at")),
    )


@cache
def _member_rows_sql() -> str:
    """`Membership.objects.filter(tenant=…, pk__gt=…).select_related("user", "role")
    .order_by("pk")[:limit]`, its columns cut to the API's (tests/api/test_member_list.py
    compares the two)."""
    quote = connection.ops.quote_name
    columns = ", ".join(
        f"{alias}.{quote(cast(str, field.column))}" for alias, field in _member_columns()
    )
    # Identifiers come from model metadata; every value is a query parameter.
    return (
        f"SELECT {columns} FROM {table(Membership)} m "  # noqa: S608
        f"INNER JOIN {table(User)} u ON u.id = m.user_id "
        f"INNER JOIN {table(Role)} r ON r.id = m.role_id "
        "WHERE m.tenant_id = %s AND m.id > %s ORDER BY m.id LIMIT %s"
    )
