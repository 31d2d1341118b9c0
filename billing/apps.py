from __future__ import annotations

from django.apps import AppConfig
from django.core import checks

from core.audit_actions import audit_actions_register


class BillingConfig(AppConfig):
    """Seat counts follow memberships: tenants/apps.py connects billing.receivers to the
    tenancy signals (billing sits below tenancy and does not import it)."""

    name = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        # billing.checks imports models: only once the app registry is ready.
        from billing import checks as billing_checks
        from billing.audit import DESTRUCTIVE, FIELDS, GROUP, VALUES, BillingAction

        audit_actions_register(
            BillingAction, destructive=DESTRUCTIVE, fields=FIELDS, values=VALUES, group=GROUP
        )
        checks.register(billing_checks.check_plans)
        checks.register(
            billing_checks.check_webhook_secret_deployed, checks.Tags.security, deploy=True
        )
