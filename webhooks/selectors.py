"""Reads for the webhook pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from webhooks.models import Attempt, Delivery, Endpoint

if TYPE_CHECKING:
    from tenants.models import Tenant

LOG_SIZE = 50


def endpoint_list(*, tenant: Tenant) -> QuerySet[Endpoint]:
    return Endpoint.objects.for_tenant(tenant).order_by("created_at", "pk")


def endpoint_get(*, tenant: Tenant, endpoint_id: int) -> Endpoint:
    return get_object_or_404(Endpoint.objects.for_tenant(tenant), pk=endpoint_id)


def delivery_log(*, endpoint: Endpoint) -> list[Delivery]:
    """The endpoint's latest deliveries with their attempts, newest first (two queries)."""
    return list(
        Delivery.objects.filter(endpoint=endpoint)
        .order_by("-created_at", "-pk")
        .prefetch_related(Prefetch("attempt_log", queryset=Attempt.objects.order_by("-number")))[
            :LOG_SIZE
        ]
    )


def delivery_get(*, tenant: Tenant, endpoint: Endpoint, delivery_id: int) -> Delivery:
    return get_object_or_404(
        Delivery.objects.for_tenant(tenant).select_related("endpoint"),
        endpoint=endpoint,
        pk=delivery_id,
    )
