from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.exceptions import PermanentEmailError
from accounts.mail import email_delivery_retry, without_live_links
from accounts.models import EmailDelivery, EmailToken, KnownDevice, User
from sessions_app.admin import SessionInline
from tenants.admin import StaffAuditMixin, UserMembershipInline
from tenants.models import Tenant


@admin.register(User)
class UserAdmin(StaffAuditMixin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_active", "is_staff", "email_verified_at", "date_joined"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "name"]
    readonly_fields = ["date_joined", "last_login"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["name", "avatar", "email_verified_at"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "name", "password1", "password2"]})
    ]
    filter_horizontal = ["groups"]
    inlines = [UserMembershipInline, SessionInline]

    def audit_tenant(self, obj: User) -> Tenant | None:
        """Staff changes to a person are logged in their personal workspace."""
        return Tenant.objects.filter(personal_owner=obj).first()


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
        """Staff never see a usable reset or invitation link, even while it is queued."""
        return without_live_links(obj.body_text)

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
