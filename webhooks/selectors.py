"""Reads for the webhook pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from core.members import members_who_can_act
from webhooks.models import Attempt, Delivery, Endpoint

if TYPE_CHECKING:
    from tenants.models import Tenant

LOG_SIZE = 50


def endpoint_list(*, tenant: Tenant) -> QuerySet[Endpoint]:
    """The endpoints with who added them and `creator_stays`: whether that person is
    still a member (not suspended). An endpoint is the organisation's integration and
    keeps sending when its maker leaves (an API key stops); the page says so, since a
    removed admin's own server would otherwise go on receiving every event unnoticed."""
    # Who can act (core.members): a maker staff deactivated has gone too.
    stays = Q(created_by__memberships__tenant=tenant) & members_who_can_act(
        "created_by__memberships__"
    )
    return (
        Endpoint.objects.for_tenant(tenant)
        .select_related("created_by")
        .annotate(creator_stays=Count("created_by__memberships", filter=stays))
        .order_by("created_at", "pk")
    )


def endpoints_made_by(*, tenant: Tenant, user_id: int) -> int:
    """How many of the organisation's endpoints `user_id` added that still send (on and
    not paused): said when they leave."""
    return (
        Endpoint.objects.for_tenant(tenant)
        .filter(created_by_id=user_id, is_active=True, paused_at__isnull=True)
        .count()
    )


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


def delivery_with_attempts(*, tenant: Tenant, endpoint: Endpoint, delivery_id: int) -> Delivery:
    """One delivery and every attempt at it, oldest first, for its own page (two queries)."""
    return get_object_or_404(
        Delivery.objects.for_tenant(tenant).prefetch_related(
            Prefetch("attempt_log", queryset=Attempt.objects.order_by("number", "pk"))
        ),
        endpoint=endpoint,
        pk=delivery_id,
    )


def delivery_get(*, tenant: Tenant, endpoint: Endpoint, delivery_id: int) -> Delivery:
    return get_object_or_404(
        Delivery.objects.for_tenant(tenant).select_related("endpoint"),
        endpoint=endpoint,
        pk=delivery_id,
    )
