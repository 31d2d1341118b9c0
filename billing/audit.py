"""The audit actions the billing services write (registered in billing/apps.py)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from billing.models import Account
from billing.plans import plan_get
from core.audit_actions import ValueLabels, day_said

# Where the audit log's action menu lists these (core/audit_actions.py).
GROUP = _("Billing")


class BillingAction(models.TextChoices):
    PLAN_CHANGED = "billing.plan_changed", _("Plan changed")
    SHARED = "billing.shared", _("Billing account shared")
    DETACHED = "billing.detached", _("Billing account no longer shared")
    # cancel_at_period_end turned on / off on a live subscription: who scheduled the
    # end of paid service, and who took it back.
    END_SCHEDULED = "billing.end_scheduled", _("Subscription set to end")
    KEPT = "billing.kept", _("Subscription kept")
    # Who went to pay: the plan change that follows is the provider's (System), and a
    # paying organisation asks who committed its money.
    CHECKOUT_STARTED = "billing.checkout_started", _("Checkout started")


# Scheduling the end of paid service is marked in red on the log page.
DESTRUCTIVE = [BillingAction.END_SCHEDULED]


# What the audit log page calls the keys of these events' before/after.
FIELDS = {
    "plan": _("Plan"),
    "status": _("Status"),
    "billing_account": _("Billing account"),
    # The last day of the paid period: renewed after it, or the day service ends.
    "renews_on": _("Renews on"),
    "ends_on": _("Ends on"),
}


def _plan_said(key: object) -> str | None:
    """A plan's name; a plan since removed from the settings keeps its key."""
    if not isinstance(key, str):
        return None
    plan = plan_get(key)
    return str(plan.name) if plan else None


# What the codes under those keys mean.
VALUES: dict[str, ValueLabels] = {
    "plan": _plan_said,
    "status": Account.Status,
    "renews_on": day_said,
    "ends_on": day_said,
}
