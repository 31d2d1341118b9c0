from django.contrib import admin

from webhooks.models import Delivery, Endpoint


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "tenant", "is_active", "paused_at", "failing_since", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["url", "tenant__slug"]
    raw_id_fields = ["tenant", "created_by"]
    exclude = ["secret", "previous_secret"]  # encrypted; never shown


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["event_type", "endpoint", "status", "attempts", "created_at"]
    list_filter = ["status", "event_type"]
    raw_id_fields = ["tenant", "endpoint"]
