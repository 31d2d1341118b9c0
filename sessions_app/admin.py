from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from sessions_app.models import Session
from sessions_app.services import session_revoke


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("active", "Active"), ("expired", "Expired"), ("revoked", "Revoked")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Session]) -> QuerySet[Session]:
        now = timezone.now()
        if self.value() == "active":
            return queryset.active(now=now)
        if self.value() == "expired":
            return queryset.expired(now=now)
        if self.value() == "revoked":
            return queryset.revoked()
        return queryset


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["user", "device", "ip_address", "last_activity_at", "created_at", "status"]
    list_filter = [StatusFilter, "revoked_reason"]
    list_select_related = ["user"]
    search_fields = ["user__email", "ip_address", "device"]
    raw_id_fields = ["user", "active_tenant", "revoked_by"]
    date_hierarchy = "last_activity_at"
    fields = ["user", "device", "user_agent", "ip_address", "active_tenant", "created_at"]
    fields += ["last_activity_at", "expires_at", "revoked_at", "revoked_reason", "revoked_by"]
    fields += ["token_hash", "data"]
    # Sessions change only through the services (sign-in, sign-out, revoke): editing a
    # row here (its expiry, its active tenant) would bypass them.
    readonly_fields = fields
    actions = ["revoke_selected"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # sessions start at sign-in only

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke instead (audited); cleanup_sessions removes old rows

    @admin.display(description="Status")
    def status(self, obj: Session) -> str:
        return obj.status.capitalize()

    @admin.action(description="Revoke selected sessions", permissions=["change"])
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[Session]) -> None:
        revoked = sum(
            session_revoke(session=s, reason=Session.RevokedReason.ADMIN, acting_user=request.user)
            for s in queryset.filter(revoked_at__isnull=True)
        )
        self.message_user(request, f"Revoked {revoked} session(s).", messages.SUCCESS)


class SessionInline(admin.TabularInline):
    """Shown on the user admin: that user's sessions, newest first."""

    model = Session
    fk_name = "user"
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ["-last_activity_at"]
    fields = ["device", "ip_address", "created_at", "last_activity_at", "expires_at"]
    fields += ["revoked_at", "revoked_reason"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
