"""Declarative admin for tenants, roles, memberships, teams and old slugs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from accounts import admin as accounts_admin
from accounts.models import User
from core.admin import ReadOnlyAdmin, StaffAuditMixin, may_manage, may_manage_all
from tenants import services
from tenants.admin_base import ServiceAdminMixin, ServiceInlineFormSet
from tenants.admin_forms import (
    MembershipAdminForm,
    RoleAdminForm,
    TeamAdminForm,
    TeamMemberAdminForm,
    TenantAddForm,
    TenantChangeForm,
)
from tenants.exceptions import TenantDeleteRefused
from tenants.invitations import invitation_cancel
from tenants.models import (
    Invitation,
    Membership,
    Role,
    Team,
    TeamMember,
    Tenant,
    TenantSlugRedirect,
)

if TYPE_CHECKING:
    # django-stubs' names for what these admin hooks return.
    from django.contrib.admin.options import InlineModelAdmin, _FieldGroups
    from django.utils.datastructures import _ListOrTuple


class MembershipInline(admin.TabularInline):
    """Used on tenants here and on users in accounts/admin.py; rows are added, changed
    and removed through the membership services (see tenants/admin_base.py)."""

    model = Membership
    form = MembershipAdminForm
    formset = ServiceInlineFormSet
    extra = 0
    raw_id_fields = ["user", "tenant", "role"]
    fields = ["user", "tenant", "role", "is_primary_contact", "is_billing_contact", "joined_at"]
    readonly_fields = ["joined_at"]

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        # Each row's form knows who asks (staff memberships are superusers' to change).
        kwargs["form"] = MembershipAdminForm.for_request(request)
        return super().get_formset(request, obj, **kwargs)


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

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Tenant)
class TenantAdmin(StaffAuditMixin, ServiceAdminMixin, admin.ModelAdmin):
    """Organisations are added with an owner (tenant_create_org), renamed and moved
    through the services, and soft-deleted with the action. Kind, personal owner and
    billing account are never edited here: the account changes through billing."""

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
    form = TenantChangeForm
    add_form = TenantAddForm
    raw_id_fields = ["personal_owner", "account"]
    readonly_fields = ["kind", "personal_owner", "account", "logo", "created_at", "updated_at"]
    list_select_related = ["account"]
    inlines = [TenantMembershipInline, SlugRedirectInline]
    actions = ["soft_delete_orgs"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[Any]]:
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> _FieldGroups:
        if obj is None:
            return ["name", "owner"]
        fields: _FieldGroups = ["name", "slug", "kind", "personal_owner", "account", "logo"]
        return [*fields, "deleted_at", "created_at", "updated_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> _ListOrTuple[str]:
        if obj is None:
            return []
        # Soft-deleting and restoring by the date (through the services) brings an
        # organisation back for every member: a superuser's call, as the date itself.
        return self.readonly_fields + ([] if request.user.is_superuser else ["deleted_at"])

    def get_inlines(self, request: HttpRequest, obj: Any) -> _ListOrTuple[type[InlineModelAdmin]]:
        return self.inlines if obj is not None else []  # the owner comes with the org

    def audit_tenant(self, obj: Tenant) -> Tenant:
        return obj

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Tenants are soft-deleted (their audit log and billing rows stay): use the action.
        return False

    def has_soft_delete_permission(self, request: HttpRequest) -> bool:
        """The action deletes: it asks for the delete permission, not change (a support
        role that renames organisations soft-deleted any of them)."""
        return request.user.has_perm("tenants.delete_tenant")

    @admin.action(description="Soft-delete selected organisations", permissions=["soft_delete"])
    def soft_delete_orgs(self, request: HttpRequest, queryset: Any) -> None:
        orgs = [t for t in queryset if t.is_org and not t.is_deleted]
        deleted = 0
        for tenant in orgs:
            try:
                services.tenant_delete(tenant=tenant, acting_user=None)
            except TenantDeleteRefused as refused:  # a subscription that renews
                self.message_user(request, str(refused), level=messages.ERROR)
                continue
            self._audit_deleted(request, tenant)
            deleted += 1
        skipped = queryset.count() - len(orgs)
        self.message_user(
            request,
            f"Soft-deleted {deleted} organisation(s)."
            + (f" Skipped {skipped} personal or already deleted." if skipped else ""),
        )


def _may_manage_role(request: HttpRequest, role: Role) -> bool:
    """A role held by a staff account is a superuser's to change or delete (may_manage)."""
    return may_manage_all(request, User.objects.filter(memberships__role=role))


@admin.register(Role)
class RoleAdmin(StaffAuditMixin, ServiceAdminMixin, admin.ModelAdmin):
    """Custom roles through role_create/role_update/role_delete; built-in roles are
    shown, never changed (the services refuse it too). Each change names the staff
    member in the organisation's audit log beside the service's event."""

    list_display = ["name", "tenant", "key", "permissions", "created_at"]
    list_filter = ["key"]
    search_fields = ["name", "tenant__name", "tenant__slug"]
    form = RoleAdminForm
    raw_id_fields = ["tenant"]
    readonly_fields = ["key", "created_at"]
    fields = ["tenant", "name", "key", "permissions", "created_at"]
    list_select_related = ["tenant"]
    actions = ["delete_selected_through_service"]

    def audit_tenant(self, obj: Role) -> Tenant:
        return obj.tenant

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and (
            obj is None or (not obj.is_builtin and _may_manage_role(request, obj))
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and (
            obj is None or (not obj.is_builtin and _may_manage_role(request, obj))
        )

    def delete_through_service(self, request: HttpRequest, obj: Role) -> None:
        if not _may_manage_role(request, obj):  # the bulk action asks row by row
            raise ValidationError(
                "Only a superuser changes or removes a role a staff account holds."
            )
        services.role_delete(tenant=obj.tenant, role=obj, acting_user=None)


@admin.register(Membership)
class MembershipAdmin(StaffAuditMixin, ServiceAdminMixin, admin.ModelAdmin):
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
    form = MembershipAdminForm
    raw_id_fields = ["user", "tenant", "role"]
    list_select_related = ["user", "tenant", "role"]
    actions = ["delete_selected_through_service"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        kwargs["form"] = MembershipAdminForm.for_request(request)
        return super().get_form(request, obj, change, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and (
            obj is None or may_manage(request, obj.user)
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and (
            obj is None or may_manage(request, obj.user)
        )

    def delete_through_service(self, request: HttpRequest, obj: Membership) -> None:
        MembershipAdminForm.for_request(request)(instance=obj).remove()


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    form = TeamMemberAdminForm
    formset = ServiceInlineFormSet
    extra = 0
    raw_id_fields = ["membership"]


@admin.register(Team)
class TeamAdmin(StaffAuditMixin, ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["name", "tenant", "parent", "created_at"]
    search_fields = ["name", "tenant__name", "tenant__slug"]
    list_filter = ["created_at"]
    form = TeamAdminForm
    raw_id_fields = ["tenant", "parent"]
    list_select_related = ["tenant", "parent"]
    inlines = [TeamMemberInline]
    actions = ["delete_selected_through_service"]

    def get_inlines(self, request: HttpRequest, obj: Any) -> _ListOrTuple[type[InlineModelAdmin]]:
        return self.inlines if obj is not None else []  # members join an existing team

    def audit_tenant(self, obj: Team) -> Tenant:
        return obj.tenant

    def delete_through_service(self, request: HttpRequest, obj: Team) -> None:
        services.team_delete(tenant=obj.tenant, team=obj, acting_user=None)


@admin.register(TenantSlugRedirect)
class TenantSlugRedirectAdmin(ReadOnlyAdmin):
    """Read-only: old slugs are written by tenant_change_slug alone, which checks that a
    slug is free and valid. Added or edited here, a row could hold another tenant's live
    slug (its next URL change then fails on the unique slug) or send /t/<old>/ into
    another workspace. Not deletable either: an old slug stays reserved for its tenant so
    that old links never land in someone else's workspace, and the tenant frees it by
    taking it back on its settings page."""

    list_display = ["slug", "tenant", "created_at"]
    search_fields = ["slug", "tenant__name", "tenant__slug"]
    list_select_related = ["tenant"]
    fields = readonly_fields = ("slug", "tenant", "created_at")


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

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> _ListOrTuple[str]:
        return [f.name for f in Invitation._meta.fields] + ["teams"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(
        description="Cancel selected invitations (their links stop working)", permissions=["change"]
    )
    def cancel_invitations(self, request: HttpRequest, queryset: Any) -> None:
        cancelled = 0
        for invitation in queryset.open().select_related("tenant"):
            invitation_cancel(tenant=invitation.tenant, invitation=invitation, acting_user=None)
            cancelled += 1
        self.message_user(request, f"{cancelled} invitation(s) cancelled.")


# The people admin lives in accounts, which sits below tenants and cannot import this
# module; it gets the person's memberships inline here, the way Django extends the
# admin of an app below (unregister, subclass, register).
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(accounts_admin.UserAdmin):
    inlines = [UserMembershipInline, *accounts_admin.UserAdmin.inlines]
