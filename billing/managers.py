"""Who manages billing where: read by the selectors and by the plan checks, which say
"upgrade" only to someone who can."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.permissions import BILLING_MANAGE

if TYPE_CHECKING:
    from accounts.models import User


def billing_manager_tenant_ids(*, user: User, tenant_id: int | None = None) -> set[int]:
    """Live workspaces where the user's role includes billing.manage (only `tenant_id`
    when given). Read from the database on every call, so a removal or demotion counts
    at once."""
    if not user.is_authenticated:
        return set()
    memberships = user.memberships.filter(
        tenant__deleted_at__isnull=True, suspended_at__isnull=True
    ).select_related("role")
    if tenant_id is not None:
        memberships = memberships.filter(tenant_id=tenant_id)
    # Permissions are a JSON list: checked here rather than with a JSON lookup SQLite lacks.
    return {m.tenant_id for m in memberships if m.role.has_permission(BILLING_MANAGE)}
