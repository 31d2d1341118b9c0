"""Reads of uploads. Tenant pages pass `tenant=`; `/serve` reads by key through a cache."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page
from django.db.models import Subquery, Sum
from django.http import Http404

from core.paging import page_with_totals
from tenants.models import Membership
from uploads.models import Upload, UploadQuerySet

if TYPE_CHECKING:
    from tenants.models import Tenant

_CACHE_PREFIX = "uploads:serve:v1:"


@dataclass(frozen=True)
class ServedUpload:
    """What /serve needs to answer, cacheable because a key's content never changes."""

    key: str
    tenant_id: int
    kind: str
    content_type: str
    size: int
    checksum: str
    original_filename: str

    @property
    def is_public(self) -> bool:
        return self.kind in (Upload.Kind.AVATAR, Upload.Kind.LOGO)


def upload_list(*, tenant: Tenant) -> UploadQuerySet:
    """The tenant's general files, newest first, with the uploader loaded."""
    return (
        Upload.objects.for_tenant(tenant)
        .files()
        .select_related("uploaded_by")
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class UploadPage:
    page: Page
    files_size: int  # bytes all of the tenant's files take
    # `upload_storage_used`, read in the same query; None when the page has no row.
    storage_used: int | None


def upload_page(*, tenant: Tenant, number: str | None, per_page: int) -> UploadPage:
    """One page of `upload_list`, the bytes all of the tenant's files take and what its
    uploads of every kind take against the storage cap, in one query (the page's query
    count is pinned: tests/config/test_page_queries.py)."""
    everything = (
        Upload.objects.for_tenant(tenant)
        .values("tenant")
        .annotate(total=Sum("size"))
        .values("total")
    )
    page, totals = page_with_totals(
        upload_list(tenant=tenant).annotate(storage_used=Subquery(everything)),
        number=number,
        per_page=per_page,
        size=Sum("size"),
    )
    rows = page.object_list
    return UploadPage(
        page=page,
        files_size=totals["size"] or 0,
        storage_used=(rows[0].storage_used or 0) if rows else None,
    )


def upload_name_shared(*, tenant: Tenant, upload: Upload) -> bool:
    """Whether another of the tenant's files has `upload`'s name: both are kept, and a
    second row of one name appeared without a word."""
    return (
        Upload.objects.for_tenant(tenant)
        .files()
        .filter(original_filename=upload.original_filename)
        .exclude(pk=upload.pk)
        .exists()
    )


def upload_storage_used(*, tenant: Tenant) -> int:
    """Bytes the tenant's uploads take (all kinds), for the plan's storage cap."""
    total = Upload.objects.for_tenant(tenant).aggregate(total=Sum("size"))["total"]
    return total or 0


def upload_get(*, tenant: Tenant, pk: int) -> Upload:
    """One of the tenant's general files; 404 for anything else, including other tenants'."""
    try:
        return Upload.objects.for_tenant(tenant).files().get(pk=pk)
    except Upload.DoesNotExist:
        raise Http404("No such file.") from None


def served_upload_get(*, key: str) -> ServedUpload | None:
    """The row behind `/serve/<key>` from the cache, else one indexed query.

    Keys are never reused (a changed file gets a new key), so the cached copy is
    only invalidated when the row is deleted (`served_upload_forget`). Misses are
    not cached: a key may be served right after its upload commits.
    """
    cache_key = _CACHE_PREFIX + key
    cached = cache.get(cache_key)
    if cached is not None:
        return ServedUpload(**cached)
    try:
        # .get() on the unique key, not .first(): no ORDER BY to plan (docs/performance.md).
        row = Upload.objects.values(
            "key", "tenant_id", "kind", "content_type", "size", "checksum", "original_filename"
        ).get(key=key, tenant__deleted_at__isnull=True)
    except Upload.DoesNotExist:
        return None
    served = ServedUpload(**row)
    cache.set(cache_key, asdict(served), settings.UPLOADS_SERVE_CACHE_TIMEOUT)
    return served


def served_upload_forget(*, key: str) -> None:
    cache.delete(_CACHE_PREFIX + key)


@dataclass(frozen=True)
class FilesAccess:
    """A member's way to the organisation's files, with the organisation's two-factor
    policy (`tenants.middleware_two_factor.two_factor_gate` decides with it)."""

    two_factor_required_at: datetime | None
    two_factor_grace_until: datetime | None


def files_access_get(*, user_id: int, tenant_id: int) -> FilesAccess | None:
    """None unless an active member. Membership is read fresh: a removed or suspended
    member loses file access at once."""
    try:
        required_at, grace_until = Membership.objects.values_list(
            "tenant__two_factor_required_at", "tenant__two_factor_grace_until"
        ).get(
            user_id=user_id,
            tenant_id=tenant_id,
            tenant__deleted_at__isnull=True,
            suspended_at__isnull=True,
        )
    except Membership.DoesNotExist:
        return None
    return FilesAccess(two_factor_required_at=required_at, two_factor_grace_until=grace_until)
