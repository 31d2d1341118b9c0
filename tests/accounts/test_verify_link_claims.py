"""With instant sign-up (ACCOUNTS_SIGNUP_EMAIL_CONFIRMATION=false) anyone can make an
account with someone else's address, a password and second factors of their own. The
verification link reaches the address's owner, not the maker: opened anywhere but the
account's own session it is a claim, and the maker loses every way in. A mail scanner
opening it changes nothing. A password reset link is a claim too."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from core.models import AuditEvent
from mfa.models import TOTPDevice
from sso.models import SocialIdentity
from tests.accounts.mailtools import link_in
from tests.mfa.helpers import enable_totp
from tests.sso.flows import signed_in_user_id

pytestmark = pytest.mark.django_db

VICTIM = "victim@corp.example"
STRANGERS = "strangers-choice-1"
OWNERS = "owners-own-choice-2"


@pytest.fixture
def stranger(
    settings: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> Client:
    """A stranger signs up with the victim's address and a password of their own, sets
    up an authenticator app and connects their own Google account."""
    settings.ACCOUNTS_SIGNUP_EMAIL_CONFIRMATION = False
    stranger = Client()
    with django_capture_on_commit_callbacks(execute=True):
        made = stranger.post(
            reverse("accounts:sign-up"), {"name": "Vic Tim", "email": VICTIM, "password": STRANGERS}
        )
    assert made.status_code == 302
    user = User.objects.get(email=VICTIM)
    enable_totp(user)
    SocialIdentity.objects.create(
        user=user, provider="google", subject="strangers-google", email="stranger@gmail.example"
    )
    return stranger


def _verify_link(mailoutbox: list[Any]) -> str:
    [message] = [m for m in mailoutbox if m.to == [VICTIM] and "/auth/verify-email/" in m.body]
    return link_in(message)


def _stranger_locked_out(stranger: Client) -> None:
    assert stranger.get(reverse("accounts:profile")).status_code == 302
    again = Client()
    again.post(reverse("accounts:sign-in"), {"email": VICTIM, "password": STRANGERS})
    assert signed_in_user_id(again) is None
    user = User.objects.get(email=VICTIM)
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not SocialIdentity.objects.filter(user=user).exists()


def test_a_mail_scanner_opening_the_link_confirms_nothing(
    stranger: Client, mailoutbox: list[Any]
) -> None:
    link = _verify_link(mailoutbox)

    page = Client().get(link)

    assert page.status_code == 200
    assert "Confirm your email address" in page.content.decode()
    assert not User.objects.get(email=VICTIM).is_email_verified
    assert stranger.get(reverse("accounts:profile")).status_code == 200


def test_the_holder_of_the_link_chooses_the_password_and_the_stranger_loses_every_way_in(
    stranger: Client, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    """The attack: the stranger waits for the owner to click the link, as anyone would,
    then keeps signing in with the password they chose."""
    owner = Client()
    link = _verify_link(mailoutbox)

    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post(link, {"password": OWNERS})

    assert response.status_code == 302 and response["Location"] == reverse("workspaces:app")
    user = User.objects.get(email=VICTIM)
    assert signed_in_user_id(owner) == user.pk
    assert user.is_email_verified and user.check_password(OWNERS)
    _stranger_locked_out(stranger)
    event = AuditEvent.objects.get(action="account.address_claimed")
    assert event.after == {
        "signed_out": 1,
        "authenticator_apps": 1,
        "passkeys": 0,
        "recovery_codes": 10,
        "providers": 1,
    }
    assert mailoutbox[-1].to == [VICTIM] and "password" in mailoutbox[-1].subject.lower()


def test_the_holder_must_choose_a_password_the_rules_accept(
    stranger: Client, mailoutbox: list[Any]
) -> None:
    owner = Client()
    link = _verify_link(mailoutbox)

    blank = owner.post(link, {"password": ""})
    weak = owner.post(link, {"password": "password"})

    assert blank.status_code == 400 and "Choose a password." in blank.content.decode()
    assert weak.status_code == 400 and "too common" in weak.content.decode()
    assert not User.objects.get(email=VICTIM).is_email_verified
    assert stranger.get(reverse("accounts:profile")).status_code == 200
    assert owner.post(link, {"password": OWNERS}).status_code == 302  # the link still works


def test_in_the_accounts_own_session_the_link_only_confirms_the_address(
    stranger: Client, mailoutbox: list[Any]
) -> None:
    """The maker who really owns the address keeps what they set up."""
    response = stranger.get(_verify_link(mailoutbox))

    assert response.status_code == 200 and "Email address confirmed" in response.content.decode()
    user = User.objects.get(email=VICTIM)
    assert user.is_email_verified and user.check_password(STRANGERS)
    assert TOTPDevice.objects.filter(user=user).exists()


def test_signing_in_first_then_opening_the_link_keeps_what_was_set_up(
    stranger: Client, mailoutbox: list[Any]
) -> None:
    """The claim page's way out for someone who made the account in another browser."""
    link = _verify_link(mailoutbox)
    elsewhere = Client()
    page = elsewhere.get(link).content.decode()
    assert f"?next={link}" in page

    elsewhere.force_login(User.objects.get(email=VICTIM))
    response = elsewhere.get(link)

    assert "Email address confirmed" in response.content.decode()
    assert TOTPDevice.objects.filter(user__email=VICTIM).exists()


def test_a_password_reset_is_a_claim_too(
    stranger: Client, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    """Without it the owner resets the password and then meets the stranger's
    authenticator app at the second step, while the stranger's Google still signs in."""
    owner = Client()
    with django_capture_on_commit_callbacks(execute=True):
        owner.post(reverse("accounts:password-forgot"), {"email": VICTIM})
    reset = link_in(mailoutbox[-1])
    form = owner.get(reset)
    assert form.status_code == 200

    response = owner.post(reset, {"password1": OWNERS, "password2": OWNERS})

    assert response["Location"] == reverse("workspaces:app")  # no second step asked
    user = User.objects.get(email=VICTIM)
    assert signed_in_user_id(owner) == user.pk and user.is_email_verified
    _stranger_locked_out(stranger)
