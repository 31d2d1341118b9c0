"""The old_invitations job: invitations closed or expired long ago are deleted, open
ones and recent history stay."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine
from django.utils import timezone

from tenants.invitations import invitation_cancel, invitation_create
from tenants.jobs import old_invitations_purge
from tenants.models import Invitation, Role


def invite(acme: Any, owner: Any, email: str) -> Invitation:
    role = Role.objects.get(tenant=acme, key="member")
    return invitation_create(tenant=acme, email=email, role=role, acting_user=owner)


def test_invitations_closed_or_expired_beyond_the_retention_are_deleted(
    acme: Any, owner: Any, settings: Any
) -> None:
    settings.TENANTS_INVITATION_RETENTION_DAYS = 90
    with time_machine.travel(timezone.now() - timedelta(days=120), tick=False):
        expired = invite(acme, owner, "expired@example.com")
        cancelled = invite(acme, owner, "cancelled@example.com")
        invitation_cancel(tenant=acme, invitation=cancelled, acting_user=owner)
    with time_machine.travel(timezone.now() - timedelta(days=10), tick=False):
        recent = invite(acme, owner, "recent-cancel@example.com")
        invitation_cancel(tenant=acme, invitation=recent, acting_user=owner)
    pending = invite(acme, owner, "pending@example.com")

    outcome = old_invitations_purge()

    assert outcome == "Deleted 2 invitation(s) closed or expired over 90 day(s) ago."
    remaining = set(Invitation.objects.values_list("pk", flat=True))
    assert remaining == {recent.pk, pending.pk}
    assert expired.pk not in remaining
