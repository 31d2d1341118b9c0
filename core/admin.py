"""Staff changes in the admin are audited; the audit log itself is read-only there."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import HttpRequest

from core.audit import audit_record
from core.audit_actions import StaffAction
from core.models import AuditEvent
from core.replica import replica_alias

if TYPE_CHECKING:
    from accounts.models import User
    from tenants.models import Tenant

    # What the admin mixins are mixed into, so their super() calls are checked against it.
    ModelAdminBase = admin.ModelAdmin[Any]
else:
    ModelAdminBase = object


def staff_user(request: HttpRequest) -> User:
    """The staff member behind an admin request (the admin site lets no one else in)."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    return user


def may_manage(request: HttpRequest, user: User | None) -> bool:
    """Staff other than superusers manage customers, never staff or superusers
    (themselves included): that is where admin power would leak. The one rule for
    people, their memberships and their sessions in the admin."""
    if request.user.is_superuser or user is None:
        return True
    return not (user.is_staff or user.is_superuser)


def may_manage_all(request: HttpRequest, users: models.QuerySet[User]) -> bool:
    """`may_manage` for everyone in `users` at once: a role is changed for every person
    who holds it, so staff holding a customer's role made it theirs to grant themselves
    every permission (one query)."""
    if request.user.is_superuser:
        return True
    return not users.filter(models.Q(is_staff=True) | models.Q(is_superuser=True)).exists()


class ReplicaChangeListMixin(ModelAdminBase):
    """The list page reads the replica when there is one (core/replica.py): it tolerates a
    second of lag, and it is what staff page through. The change page, actions (POST)
    and every write stay on the primary."""

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        queryset = super().get_queryset(request)
        match = request.resolver_match
        if match is not None and (match.url_name or "").endswith("_changelist"):
            return queryset.using(replica_alias(request))
        return queryset


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows staff look at but never add, edit or delete here: what a service writes
    (with its checks and its audit event) is changed through that service alone."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReplicaChangeListMixin, ReadOnlyAdmin):
    """Read-only: audit events are never added, edited or deleted by hand."""

    list_display = [
        "created_at",
        "tenant",
        "actor",
        "actor_label",
        "actor_ip",
        "action",
        "target_label",
    ]
    list_filter = ["action", "created_at"]
    search_fields = ["tenant__slug", "tenant__name", "actor__email", "target_label", "actor_ip"]
    list_select_related = ["tenant", "actor"]
    date_hierarchy = "created_at"
    raw_id_fields = ["tenant", "actor"]

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return [f.name for f in AuditEvent._meta.fields]


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    if isinstance(value, models.Model):
        return str(value)
    if hasattr(value, "all"):  # many-to-many managers and querysets
        return [str(v) for v in value.all()]
    return str(value)


def _tenant_model() -> type[models.Model]:
    # The tenant model through the audit log's own foreign key: core never imports tenants.
    return AuditEvent._meta.get_field("tenant").related_model


class StaffAuditMixin(ModelAdminBase):
    """Staff changes and deletions in the admin go to the audit log of the tenant concerned.

    `audit_tenant(obj)` names that tenant (None: nothing to log, e.g. a superuser
    without a personal workspace). Passwords and other secrets are never logged,
    only the names of the fields that changed. Rows added or removed in inlines are
    logged in their own tenant, so a staff member is named next to the service's event.
    """

    audit_secret_fields: tuple[str, ...] = ("password",)

    def audit_tenant(self, obj: Any) -> Tenant | None:
        raise NotImplementedError

    def _values(self, obj: Any, fields: list[str]) -> dict[str, Any]:
        return {
            f: "(changed)" if f in self.audit_secret_fields else _jsonable(getattr(obj, f, None))
            for f in fields
        }

    def audit_staff(
        self,
        request: HttpRequest,
        obj: Any,
        action: str,
        *,
        tenant: Tenant | None = None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        """One event naming the staff member, in `tenant` (default: `audit_tenant(obj)`)."""
        tenant = tenant or self.audit_tenant(obj)
        if tenant is not None:
            audit_record(
                tenant=tenant,
                action=action,
                acting_user=staff_user(request),
                target=obj,
                request=request,
                before=before,
                after=after,
            )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            # Model fields only (not form-only inputs such as a new org's owner email).
            fields = [f for f in form.changed_data if hasattr(type(obj), f)]
            before = None
            if change and fields:
                old = type(obj)._default_manager.get(pk=obj.pk)
                before = self._values(old, fields)
            super().save_model(request, obj, form, change)
            if fields:
                after = self._values(obj, fields)
                self.audit_staff(request, obj, StaffAction.CHANGED, before=before, after=after)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_formset(request, form, formset, change)
            changed = [(obj, fields) for obj, fields in getattr(formset, "changed_objects", [])]
            changed += [(obj, list(formset.form.base_fields)) for obj in formset.new_objects]
            for obj, fields in changed:
                self._audit_inline(request, obj, StaffAction.CHANGED, fields)
            for obj in getattr(formset, "deleted_objects", []):
                self._audit_inline(request, obj, StaffAction.DELETED, [])

    def _audit_inline(self, request: HttpRequest, obj: Any, action: str, fields: list) -> None:
        # Inline rows (memberships) are logged in their own tenant.
        tenant: Tenant | None = getattr(obj, "tenant", None)
        if isinstance(tenant, _tenant_model()):
            after = self._values(obj, [f for f in fields if f != "DELETE"]) or None
            self.audit_staff(request, obj, action, tenant=tenant, after=after)

    def _audit_deleted(self, request: HttpRequest, obj: Any) -> None:
        self.audit_staff(request, obj, StaffAction.DELETED)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            self._audit_deleted(request, obj)
            super().delete_model(request, obj)
