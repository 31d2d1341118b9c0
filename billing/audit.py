"""The audit actions the billing services write (registered in billing/apps.py)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BillingAction(models.TextChoices):
    PLAN_CHANGED = "billing.plan_changed", _("Plan changed")
    SHARED = "billing.shared", _("Billing account shared")
    DETACHED = "billing.detached", _("Billing account no longer shared")


# What the audit log page calls the keys of these events' before/after.
FIELDS = {
    "plan": _("Plan"),
    "status": _("Status"),
    "billing_account": _("Billing account"),
}
