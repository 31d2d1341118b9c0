from django.contrib import admin

from api.models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "tenant", "public_id", "created_at", "last_used_at", "revoked_at"]
    search_fields = ["name", "public_id", "tenant__slug"]
    raw_id_fields = ["tenant", "created_by"]
    exclude = ["secret_hash"]
