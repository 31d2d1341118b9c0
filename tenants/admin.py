"""Declarative admin for tenants, roles, memberships, teams and old slugs."""

from __future__ import annotations

from django.contrib import admin

from tenants.models import Membership, Role, Team, TeamMember, Tenant, TenantSlugRedirect


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
class TenantAdmin(admin.ModelAdmin):
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


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["name", "tenant", "key", "permissions", "created_at"]
    list_filter = ["key"]
    search_fields = ["name", "tenant__name", "tenant__slug"]
    raw_id_fields = ["tenant"]
    list_select_related = ["tenant"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
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
