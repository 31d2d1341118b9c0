"""Reads for the API-key pages and the API's own lists (cursor-paginated by id)."""

from __future__ import annotations

from functools import cache

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from api.keys import key_parse, secret_matches
from api.models import ApiKey
from billing.models import Account
from core.prebuilt_sql import fetch_one, select_list, table
from tenants.models import Tenant


def api_key_list(*, tenant: Tenant) -> QuerySet[ApiKey]:
    """The organisation's keys, live ones first, newest first, with their creator."""
    return (
        ApiKey.objects.for_tenant(tenant)
        .select_related("created_by")
        .order_by("revoked_at", "-created_at", "-pk")
    )


def api_key_get(*, tenant: Tenant, key_id: int) -> ApiKey:
    return get_object_or_404(ApiKey.objects.for_tenant(tenant), pk=key_id)


def api_key_for_secret(*, raw: str) -> ApiKey | None:
    """The key `raw` proves, with its live tenant and billing account (one query), or
    None: unknown, wrong secret, or its organisation deleted. Revoked and expired
    keys are returned; the caller refuses them."""
    parsed = key_parse(raw)
    if parsed is None:
        return None
    found = fetch_one(_api_key_sql(), [parsed.public_id], [ApiKey, Tenant, Account])
    if found is None:
        return None
    key: ApiKey
    tenant: Tenant
    account: Account
    key, tenant, account = found
    if not secret_matches(parsed.secret, key.secret_hash):
        return None
    tenant.account = account
    key.tenant = tenant
    return key


@cache
def _api_key_sql() -> str:
    """`ApiKey.objects.select_related("tenant", "tenant__account").get(public_id=…,
    tenant__deleted_at__isnull=True)` written out once: every API request runs it, and
    compiling it cost the ORM more than the API's own page (bench/page_cpu.py)."""
    # Identifiers come from model metadata; the public id is a query parameter.
    return (
        f"SELECT {select_list(ApiKey, 'k')}, {select_list(Tenant, 't')}, "  # noqa: S608
        f"{select_list(Account, 'a')} FROM {table(ApiKey)} k "
        f"INNER JOIN {table(Tenant)} t ON t.id = k.tenant_id "
        f"INNER JOIN {table(Account)} a ON a.id = t.account_id "
        "WHERE k.public_id = %s AND t.deleted_at IS NULL"
    )
