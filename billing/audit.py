"""The audit actions the billing services write (registered in billing/apps.py)."""

from __future__ import annotations

from django.db import models


class BillingAction(models.TextChoices):
    PLAN_CHANGED = "billing.plan_changed", "Plan changed"
    SHARED = "billing.shared", "Billing account shared"
    DETACHED = "billing.detached", "Billing account no longer shared"
