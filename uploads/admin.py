from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from core.admin import ReplicaChangeListMixin, staff_user
from tenants.admin_base import ServiceAdminMixin
from uploads.models import Upload
from uploads.services import upload_delete


@admin.register(Upload)
class UploadAdmin(ReplicaChangeListMixin, ServiceAdminMixin, admin.ModelAdmin):
    list_display = [
        "original_filename",
        "tenant",
        "uploaded_by",
        "kind",
        "content_type",
        "size",
        "created_at",
        "key",
    ]
    list_select_related = ["tenant", "uploaded_by"]
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
    actions = ["delete_selected_through_service"]

    def has_add_permission(self, request: object) -> bool:
        # Objects are written by the upload services; a row without its object is useless.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Files only, through the service (audited, object removed after commit); an
        # avatar or logo is replaced or removed by its owner.
        kind_ok = obj is None or obj.kind == Upload.Kind.FILE
        return kind_ok and super().has_delete_permission(request, obj)

    def delete_through_service(self, request: HttpRequest, obj: Upload) -> None:
        if obj.kind != Upload.Kind.FILE:
            raise ValidationError("Avatars and logos are replaced or removed by their owner.")
        upload_delete(tenant=obj.tenant, upload=obj, acting_user=staff_user(request))
