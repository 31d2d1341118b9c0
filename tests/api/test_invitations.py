"""Invitations through the API go out in the name of the key's creator, resent ones
too: the link a resend emails works however the first was sent."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from core.permissions import MEMBERS_INVITE
from tenants.invitations import invitation_accept, invitation_create
from tenants.models import Invitation, Membership, Role
from tenants.services import membership_remove
from tests.accounts.factories import UserFactory
from tests.accounts.mailtools import link_in
from tests.api.conftest import bearer, make_key

pytestmark = pytest.mark.django_db


def test_a_resend_through_the_api_works_after_the_first_inviter_was_removed(
    acme: Any,
    owner: Any,
    admin_of_acme: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    member = Role.objects.get(tenant=acme, key="member")
    invitation = invitation_create(
        tenant=acme, email="bo@example.com", role=member, acting_user=admin_of_acme
    )
    admin = Membership.objects.get(tenant=acme, user=admin_of_acme)
    membership_remove(tenant=acme, membership=admin, acting_user=owner)
    # Past the minute a resend waits for the first email to arrive.
    Invitation.objects.filter(pk=invitation.pk).update(
        sent_at=timezone.now() - timedelta(minutes=2)
    )
    key = make_key(acme, owner, [MEMBERS_INVITE])

    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            f"/api/v1/invitations/{invitation.pk}/resend",
            json.dumps({}),
            content_type="application/json",
            headers=bearer(key),
        )
    assert response.status_code == 200, response.content

    token = link_in(mailoutbox[-1]).rstrip("/").rsplit("/", 1)[-1]
    joined = invitation_accept(raw_token=token, user=UserFactory(email="bo@example.com"))
    assert joined.tenant == acme and joined.role == member
