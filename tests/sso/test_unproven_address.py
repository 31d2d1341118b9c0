"""With instant sign-up (ACCOUNTS_SIGNUP_EMAIL_CONFIRMATION=false) anyone can make an
account with someone else's address and a password of their own. When the address's
owner later proves it — through their organisation's IdP, or the link emailed to connect
a provider — the stranger's password and sessions must not survive."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from sso.models import Connection
from tests.accounts.mailtools import link_in
from tests.sso.flows import round_trip, signed_in_user_id
from tests.sso.idp import LocalIdP

pytestmark = pytest.mark.django_db

STRANGERS = "strangers-choice-1"


def _stranger_signs_up_as(email: str, settings: Any) -> Client:
    settings.ACCOUNTS_SIGNUP_EMAIL_CONFIRMATION = False
    stranger = Client()
    made = stranger.post(
        reverse("accounts:sign-up"), {"name": "Victim", "email": email, "password": STRANGERS}
    )
    assert made.status_code == 302 and not User.objects.get(email=email).is_email_verified
    return stranger


def _locked_out(stranger: Client, email: str) -> None:
    """The stranger's session ended and their password signs nobody in."""
    assert stranger.get(reverse("accounts:profile")).status_code == 302
    again = Client()
    again.post(reverse("accounts:sign-in"), {"email": email, "password": STRANGERS})
    assert signed_in_user_id(again) is None
    assert not User.objects.get(email=email).has_usable_password()


def test_the_org_idp_vouching_for_the_address_drops_a_strangers_password(
    client: Any, idp: LocalIdP, acme_sso: Connection, settings: Any
) -> None:
    stranger = _stranger_signs_up_as("victim@example.com", settings)
    idp.user = {"sub": "okta-v", "email": "victim@example.com", "name": "Vic Tim"}

    round_trip(client, idp, reverse("sso:start"), {"email": "victim@example.com"})

    victim = User.objects.get(email="victim@example.com")
    assert signed_in_user_id(client) == victim.pk and victim.is_email_verified
    _locked_out(stranger, "victim@example.com")


def test_the_emailed_link_to_connect_a_provider_drops_a_strangers_password(
    client: Any,
    social: LocalIdP,
    settings: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    stranger = _stranger_signs_up_as("pat@example.com", settings)
    social.user = {"sub": "g-1", "email": "pat@example.com", "email_verified": True}
    with django_capture_on_commit_callbacks(execute=True):
        round_trip(client, social, reverse("sso:social-start", args=["google"]))

    client.post(link_in(mailoutbox[-1]))

    victim = User.objects.get(email="pat@example.com")
    assert signed_in_user_id(client) == victim.pk and victim.is_email_verified
    _locked_out(stranger, "pat@example.com")
