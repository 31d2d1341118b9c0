"""Who among an organisation's members counts: the Q filters every app reads them by.

Here, at the bottom, because apps at every layer ask (tenancy and billing for owners,
seats and billing email; webhooks and API keys for whether their maker can still act).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q


def seat_holders(prefix: str = "") -> Q:
    """The one rule for who takes a seat, billed and under a plan's member cap: a
    membership the directory has not suspended (SCIM `active: false` or a delete).
    `prefix` reaches memberships from another model: "memberships__" from a user or
    tenant. The overview's SQL count says the same (tenants/selectors_overview.py)."""
    return Q(**{f"{prefix}suspended_at__isnull": True})


def members_who_can_act(prefix: str = "") -> Q:
    """Seat holders whose account staff have not deactivated in the admin
    (`User.is_active`: Django refuses their sign-in). The one rule for who counts as an
    owner able to act and who gets billing email; a deactivated person still holds a
    seat until someone removes them. `prefix` as for `seat_holders`."""
    return seat_holders(prefix) & Q(**{f"{prefix}user__is_active": True})


def member_can_act(membership: Any) -> bool:
    """`members_who_can_act` for one membership already read with its user, so a page
    and a service that hold the row test what the counts filter on."""
    return membership.suspended_at is None and membership.user.is_active
