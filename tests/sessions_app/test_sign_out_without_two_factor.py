"""Turning on two-factor does not reach the devices already signed in with a password
alone: whoever signed in there (with a stolen password, say) stays. The security page
says how many there are and signs them out with one button, keeping every device that
signed in with a second factor or through the organisation's single sign-on."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from core.models import AuditEvent
from mfa.totp import totp_code_at
from sessions_app.authentication import FACTORS_KEY, Factor
from sessions_app.models import Session
from tests.accounts.factories import UserFactory
from tests.sessions_app.helpers import FIREFOX_LINUX, row_of, sign_in

pytestmark = pytest.mark.django_db

SECURITY = "/account/security/"
SIGN_OUT = "/account/sessions/revoke-without-two-factor/"


def signed_in(client: Client) -> bool:
    return client.get("/account/").status_code == 200


def turn_on_app(client: Client) -> str:
    """Set up an authenticator app through the security pages; returns its secret."""
    page = client.get("/account/security/authenticator/")
    secret = page.context["secret"].replace(" ", "")
    with time_machine.travel(timezone.now() - timedelta(minutes=2), tick=False):
        done = client.post("/account/security/authenticator/", {"code": totp_code_at(secret)})
    assert done.status_code == 200 and b"Save your recovery codes" in done.content
    return secret


@pytest.fixture
def person() -> Any:
    return UserFactory()


def test_devices_signed_in_before_two_factor_are_named_and_signed_out(person: Any) -> None:
    thief = Client(HTTP_USER_AGENT=FIREFOX_LINUX)
    sign_in(thief, person)  # the stolen password, before two-factor
    thiefs_session = row_of(thief)
    laptop = Client()
    sign_in(laptop, person)
    secret = turn_on_app(laptop)
    phone = Client()  # signed in after it was on: password and code
    sign_in(phone, person)
    phone.post("/auth/sign-in/verify/", {"factor": "totp", "code": totp_code_at(secret)})
    assert signed_in(phone)

    page = laptop.get(SECURITY).content.decode()
    assert 'data-testid="without-second-step"' in page
    assert "One other device is signed in without two-factor authentication" in page

    response = laptop.post(SIGN_OUT)

    assert response.status_code == 302 and response["Location"] == SECURITY
    after = laptop.get(SECURITY).content.decode()
    assert "Signed out 1 device that signed in without two-factor authentication." in after
    assert not signed_in(thief)
    assert signed_in(laptop) and signed_in(phone)
    assert 'data-testid="without-second-step"' not in after
    event = AuditEvent.objects.get(action="session.others_signed_out", actor=person)
    assert event.after == {"sessions": 1}
    assert Session.objects.get(pk=thiefs_session.pk).revoked_by == person


def test_nothing_is_offered_while_two_factor_is_off(person: Any) -> None:
    sign_in(Client(), person)
    laptop = Client()
    sign_in(laptop, person)

    assert 'data-testid="without-second-step"' not in laptop.get(SECURITY).content.decode()


def test_single_sign_on_sessions_and_expired_ones_are_left_alone(person: Any) -> None:
    laptop = Client()
    sign_in(laptop, person)
    turn_on_app(laptop)
    sso = Session.objects.create(
        user=person,
        token_hash="a" * 64,
        expires_at=timezone.now() + timedelta(days=1),
        data={FACTORS_KEY: [Factor.SSO]},
    )
    expired = Session.objects.create(
        user=person,
        token_hash="b" * 64,
        expires_at=timezone.now() - timedelta(minutes=1),
        data={FACTORS_KEY: [Factor.PASSWORD]},
    )

    assert 'data-testid="without-second-step"' not in laptop.get(SECURITY).content.decode()
    laptop.post(SIGN_OUT)

    assert Session.objects.get(pk=sso.pk).revoked_at is None
    assert Session.objects.get(pk=expired.pk).revoked_at is None
    assert "Every other device already signed in with two-factor authentication." in (
        laptop.get(SECURITY).content.decode()
    )
    assert not AuditEvent.objects.filter(action="session.others_signed_out").exists()


def test_another_persons_sessions_are_out_of_reach(person: Any) -> None:
    other = UserFactory()
    theirs = Client()
    sign_in(theirs, other)
    laptop = Client()
    sign_in(laptop, person)
    turn_on_app(laptop)

    laptop.post(SIGN_OUT)

    assert signed_in(theirs)
