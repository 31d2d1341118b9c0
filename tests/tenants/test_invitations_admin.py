"""Invitations in the admin, and the rate limits on sending and on invite sign-ups."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tenants.invitations import invitation_create
from tenants.models import Invitation, Role
from tests.accounts.mailtools import link_in

pytestmark = pytest.mark.django_db


def test_staff_find_invitations_by_address_and_cancel_them(
    staff_client: Any, acme: Any, owner: Any
) -> None:
    invitation = invitation_create(
        tenant=acme,
        email="new@example.com",
        role=Role.objects.get(tenant=acme, key="member"),
        acting_user=owner,
    )
    listing = staff_client.get("/admin/tenants/invitation/?q=new@example")
    assert listing.status_code == 200 and "new@example.com" in listing.content.decode()
    detail = staff_client.get(f"/admin/tenants/invitation/{invitation.pk}/change/")
    assert detail.status_code == 200 and invitation.token_hash in detail.content.decode()
    assert staff_client.get("/admin/tenants/invitation/add/").status_code == 403

    staff_client.post(
        "/admin/tenants/invitation/",
        {"action": "cancel_invitations", "_selected_action": [invitation.pk]},
    )
    invitation.refresh_from_db()
    assert invitation.status == "cancelled"


def test_failed_invite_sign_ups_count_against_their_own_rate_limit(
    owner_client: Any,
    acme: Any,
    mailoutbox: list[Any],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """ "auth-invite", not the "auth" budget other sign-ups share (see
    tests/ratelimit/test_invitation_sign_up_limit.py)."""
    settings.RATELIMIT_TIERS = {
        **settings.RATELIMIT_TIERS,
        "auth-invite": {"rate": "2/15m", "when_unavailable": "memory"},
    }
    member = Role.objects.get(tenant=acme, key="member")
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(
            f"/t/{acme.slug}/members/invites/", {"email": "new@example.com", "role": member.pk}
        )
    sign_up = link_in(mailoutbox[0]) + "sign-up/"
    visitor = Client()
    codes = [visitor.post(sign_up, {"name": "A", "password": "x"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_sending_invitations_is_rate_limited_per_user(
    owner_client: Any, acme: Any, settings: Any
) -> None:
    settings.RATELIMIT_TIERS = {
        **settings.RATELIMIT_TIERS,
        "invite": {"rate": "2/1h", "when_unavailable": "memory"},
    }
    member = Role.objects.get(tenant=acme, key="member")
    codes = [
        owner_client.post(
            f"/t/{acme.slug}/members/invites/", {"email": f"p{i}@example.com", "role": member.pk}
        ).status_code
        for i in range(3)
    ]
    assert codes == [302, 302, 429]
    assert Invitation.objects.count() == 2
