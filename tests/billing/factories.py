"""Putting a workspace on a plan in tests, as a live subscription would."""

from __future__ import annotations

from typing import Any

from billing.models import Account


def subscribe(tenant: Any, plan: str, status: str = "active") -> None:
    """`tenant`'s billing account on `plan` (a downgrade is `subscribe(t, "free")`)."""
    Account.objects.filter(pk=tenant.account_id).update(
        plan=plan, status=status, stripe_subscription_id="sub_1", stripe_customer_id="cus_1"
    )
    tenant.account.refresh_from_db()
