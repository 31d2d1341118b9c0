"""Reads across tenants, memberships and roles."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tenants.models import Membership

if TYPE_CHECKING:
    from accounts.models import User


def membership_for_request(*, user: User, slug: str) -> Membership | None:
    """The user's membership in the live tenant with this slug, with tenant and role
    loaded in the same query; None when the user is not a member (or it is deleted).
    The billing account comes along too: every tenant page's chrome reads its status
    (billing's past-due banner), and a join here is cheaper than a second query."""
    try:
        return Membership.objects.select_related("tenant", "role", "tenant__account").get(
            user=user, tenant__slug=slug, tenant__deleted_at__isnull=True
        )
    except Membership.DoesNotExist:
        return None
