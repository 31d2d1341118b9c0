"""API keys are made and revoked by their organisation (api/services.py): read-only
here, with a Revoke action that goes through the same service."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from api.models import ApiKey
from api.services import api_key_revoke
from core.admin import ReadOnlyAdmin, StaffAuditMixin, staff_user
from core.audit_actions import StaffAction

if TYPE_CHECKING:
    from tenants.models import Tenant

FIELDS = (
    "name",
    "tenant",
    "public_id",
    "scopes",
    "created_by",
    "created_at",
    "expires_at",
    "revoked_at",
    "last_used_at",
    "last_used_ip",
    "expiry_notice_sent_at",
)


@admin.register(ApiKey)
class ApiKeyAdmin(StaffAuditMixin, ReadOnlyAdmin):
    """Read-only: a key added here would have no secret (api_key_create makes it and
    shows it once), and an edit could move a key to another tenant, give it scopes
    beyond its creator's role, or un-revoke it, none of it audited. Keys are revoked,
    never deleted, so the audit log's events keep pointing at a row."""

    list_display = ["name", "tenant", "public_id", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "public_id", "tenant__slug"]
    list_select_related = ["tenant"]
    fields = FIELDS
    readonly_fields = FIELDS  # never secret_hash
    actions = ["revoke_keys"]

    def audit_tenant(self, obj: ApiKey) -> Tenant:
        return obj.tenant

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        """Rows are read-only, but revoking changes a key: it needs the change
        permission on keys, not just the right to look at them."""
        return request.user.has_perm("api.change_apikey")

    @admin.action(
        description="Revoke selected keys (their next request gets 401)", permissions=["revoke"]
    )
    def revoke_keys(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        staff = staff_user(request)
        revoked = 0
        for key in queryset.filter(revoked_at__isnull=True).select_related("tenant"):
            with transaction.atomic():
                # The service's event names the staff member as the actor; the staff
                # event files it with the other staff changes in the tenant's log.
                api_key_revoke(tenant=key.tenant, key=key, acting_user=staff, acting_role=None)
                after = self._values(key, ["revoked_at"])
                self.audit_staff(request, key, StaffAction.CHANGED, after=after)
            revoked += 1
        self.message_user(request, f"Revoked {revoked} key(s).")
