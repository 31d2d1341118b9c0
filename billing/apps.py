from __future__ import annotations

from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        from django.core import checks

        from billing import checks as billing_checks
        from billing.receivers import on_membership_changed
        from tenants.signals import membership_added, membership_removed, tenant_deleted

        membership_added.connect(on_membership_changed, dispatch_uid="billing.seats.added")
        membership_removed.connect(on_membership_changed, dispatch_uid="billing.seats.removed")
        tenant_deleted.connect(on_membership_changed, dispatch_uid="billing.seats.tenant_deleted")
        checks.register(billing_checks.check_plans)
