from django.contrib import admin

from uploads.models import Upload


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin):
    list_display = ["key", "kind", "original_filename", "content_type", "size", "created_at"]
    list_filter = ["kind"]
    search_fields = ["key", "original_filename", "tenant__slug", "uploaded_by__email"]
    raw_id_fields = ["tenant", "uploaded_by"]
    readonly_fields = [
        "tenant",
        "uploaded_by",
        "key",
        "original_filename",
        "content_type",
        "size",
        "checksum",
        "kind",
        "created_at",
    ]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: object) -> bool:
        # Objects are written by the upload services; a row without its object is useless.
        return False
