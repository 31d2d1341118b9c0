"""What every page's chrome needs from billing: the past-due banner flag.

Cheap by design: it reads `request.tenant.account`, which TenantMiddleware loads in
its one membership query, so it adds no query to any page.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from billing.models import Account
from core.permissions import BILLING_MANAGE

# Statuses where the subscription still runs but a payment needs fixing.
_BANNER_STATUSES = {Account.Status.PAST_DUE, Account.Status.UNPAID}


def billing(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    role = getattr(request, "role", None)
    if tenant is None or role is None:
        return {}
    # Owners and billing admins of the account's home can fix a failed payment; other
    # members, and workspaces the account merely pays for, cannot.
    if not role.has_permission(BILLING_MANAGE) or tenant.account.home_tenant_id != tenant.pk:
        return {}
    return {"billing_past_due": tenant.account.status in _BANNER_STATUSES}
