"""Reads for the API-key pages and the API's own lists (cursor-paginated by id)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from api.keys import key_parse, secret_matches
from api.models import ApiKey

if TYPE_CHECKING:
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
    key = (
        ApiKey.objects.select_related("tenant", "tenant__account")
        .filter(public_id=parsed.public_id, tenant__deleted_at__isnull=True)
        .first()
    )
    if key is None or not secret_matches(parsed.secret, key.secret_hash):
        return None
    return key
