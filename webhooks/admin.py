"""Webhook endpoints and deliveries, read-only: owners manage endpoints on their
organisation's pages (webhooks/services.py checks the address and makes the secret),
and deliveries are made by events. Nothing here writes either."""

from __future__ import annotations

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from webhooks.models import Delivery, Endpoint


@admin.register(Endpoint)
class EndpointAdmin(ReadOnlyAdmin):
    """Added or edited here, an endpoint skipped endpoint_create/endpoint_update: any
    URL (a private address the delivery check would refuse), an empty secret, and no
    audit event. Deleting skipped endpoint_delete's audit event."""

    list_display = ["url", "tenant", "is_active", "paused_at", "failing_since", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["url", "tenant__slug"]
    list_select_related = ["tenant"]
    # Never the secrets (encrypted, and signing needs nothing from staff).
    fields = readonly_fields = (
        "tenant",
        "url",
        "description",
        "event_types",
        "is_active",
        "paused_at",
        "failing_since",
        "disabled_reason",
        "previous_secret_expires_at",
        "created_by",
        "created_at",
    )


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """Its payload is the exact body we sign and send: a delivery added here would be
    a forged event under the endpoint's real signature, and a tenant that does not
    own the endpoint was a 500. Deliveries are the owners' log: never edited here."""

    list_display = ["event_type", "endpoint", "status", "attempts", "created_at"]
    list_filter = ["status", "event_type"]
    list_select_related = ["endpoint"]
    fields = readonly_fields = (
        "tenant",
        "endpoint",
        "event_type",
        "message_id",
        "status",
        "attempts",
        "next_attempt_at",
        "created_at",
        "retries_from",
        "payload",
    )
