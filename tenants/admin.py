"""Declarative admin for tenants, roles, memberships, teams and old slugs."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest

from tenants.audit import audit_record
from tenants.invitations import invitation_cancel
from tenants.models import (
    AuditEvent,
    Invitation,
    Membership,
    Role,
    Team,
    TeamMember,
    Tenant,
    TenantSlugRedirect,
)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    if isinstance(value, models.Model):
        return str(value)
    if hasattr(value, "all"):  # many-to-many managers and querysets
        return [str(v) for v in value.all()]
    return str(value)


class StaffAuditMixin:
    """Staff changes and deletions in the admin go to the audit log of the tenant concerned.

    `audit_tenant(obj)` names that tenant (None: nothing to log, e.g. a superuser
    without a personal workspace). Passwords and other secrets are never logged,
    only the names of the fields that changed.
    """

    audit_secret_fields: tuple[str, ...] = ("password",)

    def audit_tenant(self, obj: Any) -> Tenant | None:
        raise NotImplementedError

    def _values(self, obj: Any, fields: list[str]) -> dict[str, Any]:
        return {
            f: "(changed)" if f in self.audit_secret_fields else _jsonable(getattr(obj, f, None))
            for f in fields
        }

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            fields = [f for f in form.changed_data if f not in ("password1", "password2")]
            before = {}
            if change and fields:
                old = type(obj)._default_manager.get(pk=obj.pk)
                before = self._values(old, fields)
            super().save_model(request, obj, form, change)  # type: ignore[misc]
            tenant = self.audit_tenant(obj)
            if change and fields and tenant is not None:
                audit_record(
                    tenant=tenant,
                    action=AuditEvent.Action.STAFF_CHANGED,
                    acting_user=request.user,
                    target=obj,
                    request=request,
                    before=before,
                    after=self._values(obj, fields),
                )

    def _audit_deleted(self, request: HttpRequest, obj: Any) -> None:
        tenant = self.audit_tenant(obj)
        if tenant is not None:
            audit_record(
                tenant=tenant,
                action=AuditEvent.Action.STAFF_DELETED,
                acting_user=request.user,
                target=obj,
                request=request,
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            self._audit_deleted(request, obj)
            super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        # The bulk "delete selected" action: one event per object, same transaction.
        with transaction.atomic():
            for obj in queryset:
                self._audit_deleted(request, obj)
            super().delete_queryset(request, queryset)  # type: ignore[misc]


class MembershipInline(admin.TabularInline):
    """Used on tenants here and on users in accounts/admin.py."""

    model = Membership
    extra = 0
    raw_id_fields = ["user", "tenant", "role"]
    fields = ["user", "tenant", "role", "is_primary_contact", "is_billing_contact", "joined_at"]
    readonly_fields = ["joined_at"]


class UserMembershipInline(MembershipInline):
    fk_name = "user"
    verbose_name_plural = "Memberships"


class TenantMembershipInline(MembershipInline):
    fk_name = "tenant"


class SlugRedirectInline(admin.TabularInline):
    model = TenantSlugRedirect
    extra = 0
    readonly_fields = ["slug", "created_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Tenant)
class TenantAdmin(StaffAuditMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "account", "created_at", "deleted_at"]
    list_filter = ["kind", ("deleted_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = [
        "name",
        "slug",
        "slug_redirects__slug",
        "memberships__user__email",
        "account__name",
        "account__stripe_customer_id",
        "account__stripe_subscription_id",
    ]
    raw_id_fields = ["personal_owner", "account"]
    readonly_fields = ["kind", "created_at", "updated_at"]
    list_select_related = ["account"]
    inlines = [TenantMembershipInline, SlugRedirectInline]

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        # kind can be chosen when adding, never changed afterwards (a DB trigger refuses it).
        return self.readonly_fields if obj else ["created_at", "updated_at"]

    actions = ["soft_delete_orgs"]

    def audit_tenant(self, obj: Tenant) -> Tenant:
        return obj

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Tenants are soft-deleted (their audit log and billing rows stay): use the action.
        return False

    @admin.action(description="Soft-delete selected organisations", permissions=["change"])
    def soft_delete_orgs(self, request: HttpRequest, queryset: Any) -> None:
        from tenants.services import tenant_delete

        orgs = [t for t in queryset if t.is_org and not t.is_deleted]
        for tenant in orgs:
            tenant_delete(tenant=tenant, acting_user=None)
            audit_record(
                tenant=tenant,
                action=AuditEvent.Action.STAFF_DELETED,
                acting_user=request.user,
                target=tenant,
                request=request,
            )
        skipped = queryset.count() - len(orgs)
        self.message_user(
            request,
            f"Soft-deleted {len(orgs)} organisation(s)."
            + (f" Skipped {skipped} personal or already deleted." if skipped else ""),
        )


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["name", "tenant", "key", "permissions", "created_at"]
    list_filter = ["key"]
    search_fields = ["name", "tenant__name", "tenant__slug"]
    raw_id_fields = ["tenant"]
    list_select_related = ["tenant"]


@admin.register(Membership)
class MembershipAdmin(StaffAuditMixin, admin.ModelAdmin):
    def audit_tenant(self, obj: Membership) -> Tenant:
        return obj.tenant

    list_display = [
        "user",
        "tenant",
        "role",
        "is_primary_contact",
        "is_billing_contact",
        "joined_at",
    ]
    list_filter = ["is_primary_contact", "is_billing_contact", "role__key", "tenant__kind"]
    search_fields = [
        "user__email",
        "user__name",
        "tenant__name",
        "tenant__slug",
        "tenant__account__stripe_customer_id",
        "tenant__account__stripe_subscription_id",
    ]
    raw_id_fields = ["user", "tenant", "role"]
    list_select_related = ["user", "tenant", "role"]


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 0
    raw_id_fields = ["membership"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "tenant", "parent", "created_at"]
    search_fields = ["name", "tenant__name", "tenant__slug"]
    list_filter = ["created_at"]
    raw_id_fields = ["tenant", "parent"]
    list_select_related = ["tenant", "parent"]
    inlines = [TeamMemberInline]


@admin.register(TenantSlugRedirect)
class TenantSlugRedirectAdmin(admin.ModelAdmin):
    list_display = ["slug", "tenant", "created_at"]
    search_fields = ["slug", "tenant__name", "tenant__slug"]
    raw_id_fields = ["tenant"]
    list_select_related = ["tenant"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: audit events are never added, edited or deleted by hand."""

    list_display = ["created_at", "tenant", "actor", "actor_ip", "action", "target_label"]
    list_filter = ["action", "created_at"]
    search_fields = ["tenant__slug", "tenant__name", "actor__email", "target_label", "actor_ip"]
    list_select_related = ["tenant", "actor"]
    date_hierarchy = "created_at"
    raw_id_fields = ["tenant", "actor"]

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only: invitations are sent from the members page (the service emails the
    link; only its digest is stored). Staff can cancel them here."""

    list_display = ["email", "tenant", "role", "status", "invited_by", "sent_at", "expires_at"]
    list_filter = ["sent_at", "expires_at", "accepted_at", "cancelled_at"]
    search_fields = ["email", "tenant__name", "tenant__slug", "invited_by__email"]
    list_select_related = ["tenant", "role", "invited_by"]
    raw_id_fields = ["tenant", "role", "invited_by", "accepted_by"]
    date_hierarchy = "sent_at"
    actions = ["cancel_invitations"]

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return [f.name for f in Invitation._meta.fields] + ["teams"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(
        description="Cancel selected invitations (their links stop working)", permissions=["change"]
    )
    def cancel_invitations(self, request: HttpRequest, queryset: Any) -> None:
        cancelled = 0
        for invitation in queryset.open().select_related("tenant"):
            invitation_cancel(invitation=invitation, acting_user=None)
            cancelled += 1
        self.message_user(request, f"{cancelled} invitation(s) cancelled.")
