"""Accepting an invitation by signing up is never paused by other people behind the same
address: a team invited together accepts from one office, and colleagues' sign-ups and
typos there do not count against it. Only failed invitation sign-ups stay counted (per
IP, tier "auth-invite"), so the form still cannot be hammered."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.test import Client

from tenants.models import Membership, Role
from tests.accounts.mailtools import link_in

pytestmark = pytest.mark.django_db

OFFICE_IP = "198.51.100.20"
PASSWORD = "analytical-42!"


@pytest.fixture
def roomy(settings: Any) -> None:
    """No member cap on the free plan: a dozen colleagues are invited."""
    plans = copy.deepcopy(settings.BILLING_PLANS)
    plans["free"]["max_members"] = None
    settings.BILLING_PLANS = plans


@pytest.fixture
def invite(
    roomy: None,
    owner_client: Any,
    acme: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> Any:
    """Invite through the members page as acme's owner; returns the sign-up path."""

    def send(email: str) -> str:
        role = Role.objects.get(tenant=acme, key="member")
        with django_capture_on_commit_callbacks(execute=True):
            response = owner_client.post(
                f"/t/{acme.slug}/members/invites/", {"email": email, "role": role.pk}
            )
        assert response.status_code == 302, response.content.decode()
        return link_in(mailoutbox[-1]) + "sign-up/"

    return send


def accept(sign_up: str, *, password: str = PASSWORD) -> int:
    response = Client().post(
        sign_up, {"name": "Colleague", "password": password}, REMOTE_ADDR=OFFICE_IP
    )
    return response.status_code


def test_a_dozen_colleagues_accept_their_invitations_from_one_office(
    invite: Any, acme: Any
) -> None:
    links = [invite(f"colleague{i}@example.com") for i in range(12)]

    assert [accept(link) for link in links] == [302] * 12
    assert Membership.objects.filter(tenant=acme, user__email__startswith="colleague").count() == 12


def test_other_sign_ups_and_typos_at_the_office_do_not_pause_an_invitation(
    invite: Any, acme: Any
) -> None:
    link = invite("invited@example.com")
    for i in range(21):  # the office's sign-up budget is 20: its 21st is refused
        code = (
            Client()
            .post(
                "/auth/sign-up/",
                {"email": f"someone{i}@example.com", "password": "short"},
                REMOTE_ADDR=OFFICE_IP,
            )
            .status_code
        )
    assert code == 429

    assert accept(link) == 302
    assert Membership.objects.filter(tenant=acme, user__email="invited@example.com").exists()


def test_failed_invitation_sign_ups_from_one_address_are_paused(invite: Any) -> None:
    link = invite("invited@example.com")

    codes = [accept(link, password="short") for _ in range(11)]

    assert codes == [200] * 10 + [429]
    assert accept(link) == 429  # the right password too, from that address, for now
    response = Client().post(
        link, {"name": "Colleague", "password": PASSWORD}, REMOTE_ADDR="192.0.2.9"
    )
    assert response.status_code == 302  # from elsewhere the same link works
