"""Admin for people, their email and devices.

Only superusers hand out admin power: `is_staff`, `is_superuser`, groups, user
permissions and the sign-in email are read-only for other staff, and other staff cannot
change, reset or delete staff accounts at all. Nobody sets a password here: staff send
the person a reset link, and deleting an account is the same deletion the person can
do themselves (accounts/services_lifecycle.py), never a row delete.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from accounts.exceptions import LastOwnerOfOrgsError, PermanentEmailError
from accounts.mail import email_delivery_retry
from accounts.mail_delivery import without_live_links
from accounts.models import EmailDelivery, EmailToken, KnownDevice, User
from accounts.services import user_signup
from accounts.services_email import email_set_by_staff, password_reset_send
from accounts.services_lifecycle import (
    account_deactivate,
    account_delete,
    account_deletion_blockers,
)
from core.admin import ModelAdminBase, StaffAuditMixin, may_manage, staff_user
from core.audit import personal_tenant_of
from core.audit_actions import StaffAction
from sessions_app.admin import SessionInline
from support.admin import view_as, view_as_action
from support.services import PERMISSION as IMPERSONATE_PERMISSION

if TYPE_CHECKING:
    from tenants.models import Tenant

if TYPE_CHECKING:
    # django-stubs' names for what these admin hooks return.
    from django.contrib.admin.options import InlineModelAdmin, _FieldsetSpec
    from django.urls import URLPattern
    from django.utils.datastructures import _ListOrTuple

# Fields that grant or redirect access to an account: superusers only.
SUPERUSER_ONLY_FIELDS = ["email", "is_staff", "is_superuser", "groups", "user_permissions"]


class SignUpOnAddMixin(ModelAdminBase):
    """A person added in the admin is signed up like anyone else (personal workspace,
    billing account) and has no password: they choose one from a reset link. Sits
    below StaffAuditMixin, which logs the addition in the new workspace."""

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created = user_signup(email=obj.email, password=None, name=obj.name)
        obj.pk = created.pk
        obj.refresh_from_db()
        obj._state.adding = False
        messages.warning(
            request,
            "The account has no password yet: send a password reset email so they can choose one.",
        )


def only_owner_said(user: User, orgs: Any) -> str:
    """Why staff may not delete or deactivate this person (orgs they alone can manage)."""
    names = ", ".join(tenant.name for tenant in orgs)
    return f"{user} is the only owner of {names}: make someone else an owner first."


class UserAdminForm(forms.ModelForm):
    """Unticking "Active" is refused, as deleting the account is, while the person is
    the only owner of an organisation who can act: nobody could manage it."""

    def clean_is_active(self) -> bool:
        active = bool(self.cleaned_data.get("is_active"))
        if self.instance.pk and self.instance.is_active and not active:
            blocking = account_deletion_blockers(user=self.instance)
            if blocking:
                raise ValidationError(only_owner_said(self.instance, blocking))
        return active


@admin.register(User)
class UserAdmin(StaffAuditMixin, SignUpOnAddMixin, admin.ModelAdmin):
    form = UserAdminForm
    ordering = ["email"]
    list_display = ["email", "name", "is_active", "is_staff", "email_verified_at", "date_joined"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "name"]
    readonly_fields = ["password_status", "avatar", "date_joined", "last_login"]
    fieldsets = [
        (None, {"fields": ["email", "password_status"]}),
        ("Profile", {"fields": ["name", "avatar", "email_verified_at"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets: _FieldsetSpec = [(None, {"classes": ["wide"], "fields": ["email", "name"]})]
    filter_horizontal = ["groups", "user_permissions"]
    # tenants/admin.py re-registers this admin with the person's memberships inline first.
    inlines = [SessionInline]
    actions = ["send_password_reset_emails", "delete_accounts", view_as_action]

    def has_impersonate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(IMPERSONATE_PERMISSION)

    def audit_tenant(self, obj: User) -> Tenant | None:
        """Staff changes to a person are logged in their personal workspace."""
        return personal_tenant_of(user_id=obj.pk)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> _FieldsetSpec:
        return self.fieldsets if obj is not None else self.add_fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> _ListOrTuple[str]:
        if obj is None:
            return []
        if request.user.is_superuser:
            return self.readonly_fields
        readonly = self.readonly_fields + SUPERUSER_ONLY_FIELDS
        # Restoring a deleted account (reactivate, clear the workspace's deletion date)
        # is a superuser's: staff could do half of it, leaving an account with no workspace.
        personal = personal_tenant_of(user_id=obj.pk) if not obj.is_active else None
        if personal is not None and personal.deleted_at is not None:
            readonly = [*readonly, "is_active"]
        return readonly

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        """Unticking "Active" deactivates through the service: contact roles pass on
        and every session ends (reactivating brought an attacker's sessions back)."""
        turned_off = change and "is_active" in form.changed_data and not obj.is_active
        moved = change and "email" in form.changed_data
        if turned_off:
            # Still active as saved here: the service checks, under each organisation's
            # lock, that they are not its only owner who can act, then shuts the account.
            # Saved inactive first, that check counted them out and never refused.
            obj.is_active = True
        super().save_model(request, obj, form, change)
        if turned_off:
            account_deactivate(user=obj)
        if moved:  # old links revoked, the old address told, Stripe updated
            email_set_by_staff(user=obj, old_email=form.initial["email"], staff=staff_user(request))

    def get_inlines(self, request: HttpRequest, obj: Any) -> _ListOrTuple[type[InlineModelAdmin]]:
        return self.inlines if obj is not None else []

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        # No filtering on password hashes from the changelist's query string.
        return not lookup.startswith("password") and super().lookup_allowed(lookup, value, request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and may_manage(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # accounts are deleted by the "Delete accounts" action, never as rows

    def has_delete_account_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.delete_user")

    @admin.display(description="Password")
    def password_status(self, obj: User) -> str:
        state = "Set." if obj.has_usable_password() else "None (no password sign-in)."
        url = reverse("admin:accounts_user_send_password_reset", args=[obj.pk])
        return format_html('{} <a href="{}">Send a password reset email…</a>', state, url)

    # --- Password reset instead of setting passwords -------------------------------

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.send_password_reset_view)
        return [
            path(
                "<int:user_id>/view-as/",
                self.admin_site.admin_view(view_as),
                name="support-view-as",
            ),
            path(
                "<path:object_id>/send-password-reset/",
                view,
                name="accounts_user_send_password_reset",
            ),
            *super().get_urls(),
        ]

    def _send_reset(self, request: HttpRequest, user: User) -> bool:
        """Email the person a reset link (the same email as "forgot password"), logged
        as a staff action in their workspace."""
        with transaction.atomic():
            sent = password_reset_send(email=user.email)
            if sent:
                after = {"password": "reset email sent"}
                self.audit_staff(request, user, StaffAction.CHANGED, after=after)
        return sent

    def send_password_reset_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        user = self.get_object(request, unquote(object_id))
        if user is None:
            raise Http404("No such user.")
        if not self.has_view_or_change_permission(request, user):
            raise PermissionDenied
        allowed = self.has_change_permission(request, user)
        if request.method == "POST":
            if not allowed:
                raise PermissionDenied
            if self._send_reset(request, user):
                self.message_user(request, f"A password reset email is on its way to {user}.")
            else:
                self.message_user(
                    request, f"{user} is deactivated: no reset email was sent.", messages.ERROR
                )
            return redirect("admin:accounts_user_change", user.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": "Send a password reset email",
            "opts": self.opts,
            "original": user,
            "allowed": allowed,
        }
        return TemplateResponse(request, "admin/accounts/user/send_password_reset.html", context)

    @admin.action(description="Send a password reset email", permissions=["change"])
    def send_password_reset_emails(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        sent = 0
        for user in queryset:
            if not may_manage(request, user):
                self.message_user(request, f"{user}: only a superuser can do this.", messages.ERROR)
            elif self._send_reset(request, user):
                sent += 1
        self.message_user(request, f"Sent {sent} password reset email(s).")

    # --- Deleting accounts --------------------------------------------------------

    @admin.action(
        description="Delete selected accounts (as if they deleted them)",
        permissions=["delete_account"],
    )
    def delete_accounts(
        self, request: HttpRequest, queryset: QuerySet[User]
    ) -> TemplateResponse | None:
        if request.POST.get("post") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": "Delete accounts",
                "opts": self.opts,
                "queryset": queryset,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/accounts/user/delete_accounts.html", context)
        deleted = 0
        for user in queryset:
            if user.pk == request.user.pk or not may_manage(request, user):
                self.message_user(request, f"{user}: not deleted from here.", messages.ERROR)
                continue
            try:
                with transaction.atomic():
                    account_delete(user=user)
                    self._audit_deleted(request, user)
            except LastOwnerOfOrgsError as error:
                self.message_user(request, only_owner_said(user, error.orgs), messages.ERROR)
            else:
                deleted += 1
        self.message_user(
            request,
            f"Deleted {deleted} account(s). Each can be restored within the grace period "
            "(reactivate the user and clear their workspace's deletion date).",
        )
        return None


# Groups carry admin permissions: a staff member allowed to edit groups could put any
# permission into their own. Only superusers see or change them.
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


# --- Email (accounts/mail.py, accounts/tokens.py) --------------------------------


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipients", "template", "status", "attempts", "created_at"]
    list_filter = ["status", "template"]
    search_fields = ["to", "subject"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "to",
        "template",
        "subject",
        "status",
        "attempts",
        "last_error",
        "provider_message_id",
        "created_at",
        "last_attempt_at",
        "next_attempt_at",
        "sent_at",
        "body",
    ]
    exclude = ["body_text", "body_html"]
    actions = ["retry_deliveries"]

    @admin.display(description="To")
    def recipients(self, obj: EmailDelivery) -> str:
        return ", ".join(obj.to)

    @admin.display(description="Body")
    def body(self, obj: EmailDelivery) -> str:
        """Staff, superusers included, never see a usable reset or invitation link, even
        while it is queued: reading one would let them do what they may not (set a password)."""
        return without_live_links(obj.body_text)

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        """Only the filters this list offers. Django lets the query string filter on any
        field of the model: `?body_text__regex=` answered yes or no about a queued
        reset link's token, which staff rebuilt a character at a time."""
        field = lookup.split(LOOKUP_SEP, 1)[0]
        offered = {*self.list_filter, self.date_hierarchy}
        known = {f.name for f in EmailDelivery._meta.get_fields()}
        return (field in offered or field not in known) and super().lookup_allowed(
            lookup, value, request
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Retry selected failed emails", permissions=["change"])
    def retry_deliveries(self, request: HttpRequest, queryset: QuerySet[EmailDelivery]) -> None:
        retried = 0
        for delivery in queryset.filter(status=EmailDelivery.Status.FAILED):
            try:
                email_delivery_retry(delivery=delivery)
            except PermanentEmailError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                retried += 1
        self.message_user(request, f"Queued {retried} email(s) for another attempt.")


@admin.register(EmailToken)
class EmailTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "purpose", "email", "created_at", "expires_at", "used_at"]
    list_filter = ["purpose"]
    search_fields = ["user__email", "email"]
    raw_id_fields = ["user"]
    readonly_fields = ["user", "purpose", "email", "created_at", "expires_at", "used_at"]
    exclude = ["token_hash", "password_fingerprint"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(KnownDevice)
class KnownDeviceAdmin(admin.ModelAdmin):
    list_display = ["user", "ip_network", "user_agent", "first_seen_at", "last_seen_at"]
    search_fields = ["user__email", "ip_network"]
    raw_id_fields = ["user"]
    readonly_fields = ["fingerprint", "first_seen_at", "last_seen_at"]
