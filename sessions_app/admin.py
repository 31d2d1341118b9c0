from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from core.admin import may_manage
from sessions_app.models import Session, SessionQuerySet
from sessions_app.services import session_revoke

if TYPE_CHECKING:
    from core.types import AuthenticatedRequest


# Tuples: the admin's `fields` and `readonly_fields` are typed differently, both take one.
SESSION_FIELDS: tuple[str, ...] = (
    "user",
    "device",
    "user_agent",
    "ip_address",
    "active_tenant",
    "created_at",
)
SESSION_FIELDS += ("last_activity_at", "expires_at", "revoked_at", "revoked_reason", "revoked_by")
SESSION_FIELDS += ("end_told_at",)
SESSION_FIELDS += ("token_hash", "data")
INLINE_FIELDS: tuple[str, ...] = (
    "device",
    "ip_address",
    "created_at",
    "last_activity_at",
    "expires_at",
)
INLINE_FIELDS += ("revoked_at", "revoked_reason")


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("active", "Active"), ("expired", "Expired"), ("revoked", "Revoked")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Session]) -> QuerySet[Session]:
        now = timezone.now()
        sessions = cast(SessionQuerySet, queryset)  # the admin lists Session.objects
        if self.value() == "active":
            return sessions.active(now=now)
        if self.value() == "expired":
            return sessions.expired(now=now)
        if self.value() == "revoked":
            return sessions.revoked()
        return queryset


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["user", "device", "ip_address", "last_activity_at", "created_at", "status"]
    list_filter = [StatusFilter, "revoked_reason"]
    list_select_related = ["user"]
    search_fields = ["user__email", "ip_address", "device"]
    raw_id_fields = ["user", "active_tenant", "revoked_by"]
    date_hierarchy = "last_activity_at"
    fields = SESSION_FIELDS
    # Sessions change only through the services (sign-in, sign-out, revoke): editing a
    # row here (its expiry, its active tenant) would bypass them.
    readonly_fields = SESSION_FIELDS
    actions = ["revoke_selected"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # sessions start at sign-in only

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke instead (audited); cleanup_sessions removes old rows

    @admin.display(description="Status")
    def status(self, obj: Session) -> str:
        return obj.status.capitalize()

    @admin.action(description="Revoke selected sessions", permissions=["change"])
    def revoke_selected(self, request: AuthenticatedRequest, queryset: QuerySet[Session]) -> None:
        live = queryset.filter(revoked_at__isnull=True).select_related("user")
        # Staff sign out customers; a staff account's sessions are superusers' to end.
        ours = [s for s in live if may_manage(request, s.user)]
        revoked = sum(
            session_revoke(session=s, reason=Session.RevokedReason.ADMIN, acting_user=request.user)
            for s in ours
        )
        self.message_user(request, f"Revoked {revoked} session(s).", messages.SUCCESS)
        if skipped := len(live) - len(ours):
            self.message_user(
                request,
                f"Left {skipped} session(s) of staff accounts: only a superuser revokes those.",
                messages.WARNING,
            )


class SessionInline(admin.TabularInline):
    """Shown on the user admin: that user's sessions, newest first."""

    model = Session
    fk_name = "user"
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ["-last_activity_at"]
    fields = INLINE_FIELDS
    readonly_fields = INLINE_FIELDS

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
