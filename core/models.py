"""The audit log's rows, and the queryset every tenant-owned model uses.

Core sits below the tenancy app: it names the tenant model by its label
("tenants.Tenant") and never imports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from core.audit_actions import audit_action_label

if TYPE_CHECKING:
    from tenants.models import Tenant


class TenantOwnedQuerySet(models.QuerySet):
    """Base queryset for every model with a `tenant` foreign key: the one scoping
    helper, so that a cross-tenant read has to be written on purpose."""

    def for_tenant(self, tenant: Tenant) -> Self:
        return self.filter(tenant=tenant)


class AuditEventQuerySet(TenantOwnedQuerySet):
    """Audit rows are append-only: bulk changes are refused here and by a DB trigger."""

    def update(self, **kwargs: Any) -> int:
        raise ValidationError("Audit events are immutable.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValidationError("Audit events are immutable.")


class AuditEvent(models.Model):
    """Who did what to which object in a tenant, and when (see core/audit.py).

    `action` is one of the codes the apps declare (core/audit_actions.py);
    `audit_record` refuses any other.
    """

    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.PROTECT, related_name="audit_events"
    )
    # PROTECT: users and tenants are deactivated/soft-deleted, never removed under their history.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty for system actions (webhooks, commands).",
    )
    # The staff member who acted as `actor` through support's "view as" (empty
    # otherwise): both identities of a change made while impersonating.
    impersonator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_ip = models.GenericIPAddressField(null=True, blank=True)
    # Who acted when it was no person: "API key <name>" (core.audit.audit_actor_label).
    actor_label = models.CharField(max_length=120, blank=True, default="")
    action = models.CharField(max_length=40)
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    # What the target was called at the time: it may be renamed or gone later.
    target_label = models.CharField(max_length=255, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    # Set by the audit page for display; not columns.
    changes: list[Any]
    is_destructive: bool

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        # The table (and its immutability trigger, tenants migration 0004) predates core.
        db_table = "tenants_auditevent"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["tenant", "-created_at"], name="tenants_audit_tenant_time"),
            models.Index(fields=["tenant", "action", "-created_at"], name="tenants_audit_action"),
            # The log page's "Who" filter: one person's events (or the system's), newest first.
            models.Index(fields=["tenant", "actor", "-created_at"], name="tenants_audit_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.target_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValidationError("Audit events are immutable.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValidationError("Audit events are immutable.")

    def get_action_display(self) -> str:
        """The label its app declared for the action (the code itself if none did)."""
        return audit_action_label(self.action)
