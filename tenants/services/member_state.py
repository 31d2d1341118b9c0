"""What a membership remembers for its person: where they last worked, and whether they
hid the overview's setup checklist. Preferences, not business actions: nothing here is
audited, and each write is one UPDATE of one row."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from tenants.models import Membership

# Staying in one workspace refreshes its visit at most this often, so a page view costs
# no write; switching to another workspace is written at once.
VISIT_INTERVAL = timedelta(minutes=5)


def membership_mark_visited(
    *, membership: Membership, switched: bool, now: datetime | None = None
) -> bool:
    """Remember that the person is working in this tenant (where sign-in and /app/ land).

    `switched` is True when this browser was in another workspace (or none) before:
    that is written at once. Otherwise the visit is refreshed only when it is older
    than VISIT_INTERVAL, so another browser left in a different workspace cannot keep
    the landing place for itself. Returns whether a write happened.
    """
    now = now or timezone.now()
    last = membership.last_visited_at
    if not switched and last is not None and now - last < VISIT_INTERVAL:
        return False
    Membership.objects.filter(pk=membership.pk).update(last_visited_at=now)
    membership.last_visited_at = now
    return True


def membership_checklist_dismiss(*, membership: Membership) -> None:
    """Hide the setup checklist for this person in this tenant, for good (idempotent)."""
    if membership.checklist_dismissed_at is not None:
        return
    now = timezone.now()
    Membership.objects.filter(pk=membership.pk).update(checklist_dismissed_at=now)
    membership.checklist_dismissed_at = now
