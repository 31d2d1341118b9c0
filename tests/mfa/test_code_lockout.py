"""Nobody can lock someone out of their second step either: wrong codes, attacked
through the real pages by someone who has the password.

Ten wrong codes from browsers that never signed in to the account pause codes from new
devices only (`mfa-account`); a browser that signed in before counts against its own
budget (`mfa-device`), so the owner's browsers keep working. The owner is told by email
once an hour: whoever typed the codes knew the password.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from mfa.totp import totp_code_at
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.accounts.mailtools import link_in
from tests.mfa.helpers import email_subjects, enable_totp
from tests.mfa.test_reauth import CHANGE_PASSWORD, confirm

pytestmark = pytest.mark.django_db(transaction=True)  # emails leave on commit

SIGN_IN = "/auth/sign-in/"
VERIFY = "/auth/sign-in/verify/"
T0 = datetime(2027, 1, 4, 9, 0, 0, tzinfo=UTC)  # the start of a 30-second step
PAUSED_SUBJECT = "Someone has your password: two-factor codes were paused"
TOO_MANY = "Too many wrong codes"


@pytest.fixture
def victim() -> Any:
    return UserFactory()


@pytest.fixture
def secret(victim: Any) -> str:
    secret, _ = enable_totp(victim, at=T0 - timedelta(days=1))
    return secret


def password_step(client: Client, user: Any, *, ip: str) -> Any:
    response = client.post(
        SIGN_IN, {"email": user.email, "password": DEFAULT_PASSWORD}, REMOTE_ADDR=ip
    )
    assert response.status_code == 302, "the password is right"
    return response


def code_step(client: Client, code: str, *, ip: str) -> str:
    return client.post(VERIFY, {"factor": "totp", "code": code}, REMOTE_ADDR=ip).content.decode()


def signed_in(client: Client) -> bool:
    return client.get("/account/").status_code == 200


def owners_browser(victim: Any, secret: str, *, at: datetime) -> Client:
    """A browser the owner signed in with (password and code) at `at`; its session has
    since ended, its known-device cookie stays."""
    browser = Client()
    with time_machine.travel(at, tick=False):
        password_step(browser, victim, ip="198.51.100.5")
        code_step(browser, totp_code_at(secret), ip="198.51.100.5")
    assert signed_in(browser)
    browser.post("/auth/sign-out/")
    assert not signed_in(browser)
    return browser


def attack(victim: Any, *, times: int = 12) -> list[str]:
    """The password and a wrong code, each time from a new browser and address."""
    answers = []
    for i in range(times):
        stranger = Client()
        password_step(stranger, victim, ip=f"203.0.113.{i + 1}")
        answers.append(code_step(stranger, "000000", ip=f"203.0.113.{i + 1}"))
    return answers


def test_wrong_codes_from_strangers_do_not_pause_the_owners_own_browser(
    victim: Any, secret: str
) -> None:
    browser = owners_browser(victim, secret, at=T0 - timedelta(hours=3))

    with time_machine.travel(T0, tick=False):
        answers = attack(victim)
        assert [TOO_MANY in a for a in answers] == [False] * 10 + [True] * 2
        # A new device is refused even with the right code ...
        stranger = Client()
        password_step(stranger, victim, ip="192.0.2.77")
        assert TOO_MANY in code_step(stranger, totp_code_at(secret), ip="192.0.2.77")
        assert not signed_in(stranger)

    # ... the owner's browser, behind an address of its own or the attacker's, is not.
    with time_machine.travel(T0 + timedelta(seconds=60), tick=False):
        password_step(browser, victim, ip="203.0.113.1")
        assert TOO_MANY not in code_step(browser, totp_code_at(secret), ip="203.0.113.1")
        assert signed_in(browser)


def test_the_owner_can_still_confirm_it_is_them_with_a_code(victim: Any, secret: str) -> None:
    browser = Client()
    with time_machine.travel(T0 - timedelta(hours=2), tick=False):
        password_step(browser, victim, ip="198.51.100.5")
        code_step(browser, totp_code_at(secret), ip="198.51.100.5")
    with time_machine.travel(T0, tick=False):
        attack(victim, times=10)
        # The sign-in is two hours old: changing the password asks "Confirm it's you".
        response = confirm(
            browser, "/account/password/", CHANGE_PASSWORD, factor="totp", code=totp_code_at(secret)
        )

    assert response.status_code == 307, response.content.decode()[:2000]
    assert response["Location"] == "/account/password/"


def test_a_browser_that_signed_in_before_has_a_budget_of_its_own(victim: Any, secret: str) -> None:
    browser = owners_browser(victim, secret, at=T0 - timedelta(hours=3))

    with time_machine.travel(T0, tick=False):
        # Someone at that (shared or stolen) browser guessing codes.
        answers = []
        for _ in range(11):
            password_step(browser, victim, ip="192.0.2.9")
            answers.append(code_step(browser, "000000", ip="192.0.2.9"))
        assert [TOO_MANY in a for a in answers] == [False] * 10 + [True]
        # Other devices are not paused by it.
        other = Client()
        password_step(other, victim, ip="192.0.2.10")
        code_step(other, totp_code_at(secret), ip="192.0.2.10")
        assert signed_in(other)


def test_a_device_known_to_another_account_is_a_stranger_here(victim: Any, secret: str) -> None:
    attacker = UserFactory()
    attackers_browser = Client()
    password_step(attackers_browser, attacker, ip="192.0.2.8")  # no two-factor: signed in
    assert signed_in(attackers_browser)
    attackers_browser.post("/auth/sign-out/")

    with time_machine.travel(T0, tick=False):
        attack(victim, times=10)
        password_step(attackers_browser, victim, ip="192.0.2.8")
        assert TOO_MANY in code_step(attackers_browser, totp_code_at(secret), ip="192.0.2.8")


def test_the_owner_is_told_once_an_hour_that_someone_has_their_password(
    victim: Any, secret: str, mailoutbox: list[Any]
) -> None:
    with time_machine.travel(T0, tick=False):
        attack(victim, times=9)
        assert PAUSED_SUBJECT not in email_subjects(mailoutbox)
        attack(victim, times=6)  # the tenth pauses codes; the rest are refused

    paused = [m for m in mailoutbox if m.subject == PAUSED_SUBJECT]
    assert [m.to for m in paused] == [[victim.email]]
    body = paused[0].body
    assert "right password" in body and "60 minutes" in body
    assert link_in(paused[0]) == "/auth/password/forgot/"

    # The window slides: an hour on, the attacker pauses it again; a second email, not more.
    with time_machine.travel(T0 + timedelta(minutes=61), tick=False):
        attack(victim, times=12)
    with time_machine.travel(T0 + timedelta(minutes=90), tick=False):
        attack(victim, times=3)
    assert email_subjects(mailoutbox).count(PAUSED_SUBJECT) == 2


def test_wrong_codes_at_the_owners_own_browser_send_no_email(
    victim: Any, secret: str, mailoutbox: list[Any]
) -> None:
    browser = owners_browser(victim, secret, at=T0 - timedelta(hours=3))
    with time_machine.travel(T0, tick=False):
        for _ in range(11):
            password_step(browser, victim, ip="192.0.2.9")
            code_step(browser, "000000", ip="192.0.2.9")

    assert PAUSED_SUBJECT not in email_subjects(mailoutbox)
