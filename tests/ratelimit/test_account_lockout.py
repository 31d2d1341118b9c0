"""Nobody can lock someone else out: the sign-in limits, attacked through the real pages.

An attacker who knows a victim's email posts wrong passwords for it from many
addresses. That must pause sign-in to the account from *new* devices only: the
victim's own browser, the password reset and the victim's colleagues keep working.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from ratelimit.devices import device_cookie_name
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.accounts.mailtools import link_in

pytestmark = pytest.mark.django_db
# Emails leave when the request's transaction commits: tests that read them commit.
sends_email = pytest.mark.django_db(transaction=True)

SIGN_IN = "/auth/sign-in/"
ADMIN_LOGIN = "/admin/login/"
VICTIM_IP = "198.51.100.5"
PAUSED_SUBJECT = "Sign-in to your account was paused"
PAUSED_PAGE = "we paused signing in to it from new devices"


def attack(path: str, email: str, *, field: str = "email", times: int = 12) -> list[int]:
    """Wrong passwords for `email`, each from a new address (so no IP limit applies)."""
    codes = []
    for i in range(times):
        response = Client().post(
            path, {field: email, "password": "wrong-guess"}, REMOTE_ADDR=f"203.0.113.{i + 1}"
        )
        codes.append(response.status_code)
    return codes


def sign_in(client: Client, email: str, *, ip: str = VICTIM_IP, path: str = SIGN_IN) -> Any:
    field = "username" if path == ADMIN_LOGIN else "email"
    return client.post(path, {field: email, "password": DEFAULT_PASSWORD}, REMOTE_ADDR=ip)


def session_expires(client: Client, settings: Any) -> None:
    """The victim's session ends (expiry, another day); the browser keeps its other cookies."""
    client.cookies.pop(settings.SESSION_COOKIE_NAME, None)


@pytest.mark.parametrize("path", [SIGN_IN, ADMIN_LOGIN])
def test_failed_sign_ins_for_victim_email_do_not_block_victims_known_device(
    path: str, settings: Any
) -> None:
    victim = UserFactory(is_staff=True)
    browser = Client()
    assert sign_in(browser, victim.email, path=path).status_code == 302
    session_expires(browser, settings)

    field = "username" if path == ADMIN_LOGIN else "email"
    codes = attack(path, victim.email, field=field)
    assert codes == [200] * 10 + [429] * 2  # ten failures pause the account

    # A device that never signed in is refused, even with the right password, and told
    # how to get back in ...
    stranger = sign_in(Client(), victim.email, ip="192.0.2.77", path=path)
    assert stranger.status_code == 429
    assert PAUSED_PAGE in stranger.content.decode()
    assert 'href="/auth/password/forgot/"' in stranger.content.decode()
    # ... but the victim's own browser is not.
    response = sign_in(browser, victim.email, path=path)
    assert response.status_code == 302
    assert browser.get("/account/").status_code == 200


def test_a_device_that_signed_in_to_another_account_is_not_known_to_the_victims() -> None:
    victim, attacker = UserFactory(), UserFactory()
    attackers_browser = Client()
    assert sign_in(attackers_browser, attacker.email).status_code == 302
    attack(SIGN_IN, victim.email, times=10)
    # The attacker's own known-device cookie does not unlock the victim's account.
    wrong = attackers_browser.post(
        SIGN_IN, {"email": victim.email, "password": "guess"}, REMOTE_ADDR="192.0.2.8"
    )
    assert wrong.status_code == 429


def test_a_known_device_gets_its_own_failure_budget(settings: Any) -> None:
    victim = UserFactory()
    browser = Client()
    sign_in(browser, victim.email)
    session_expires(browser, settings)
    # Someone at the victim's own (stolen or shared) browser guessing, from many addresses.
    codes = [
        browser.post(
            SIGN_IN, {"email": victim.email, "password": "guess"}, REMOTE_ADDR=f"192.0.2.{i}"
        ).status_code
        for i in range(11)
    ]
    assert codes == [200] * 10 + [429]
    # The device's budget is its own: the account still accepts other devices.
    assert sign_in(Client(), victim.email, ip="192.0.2.200").status_code == 302


def test_the_known_device_cookie_is_signed_http_only_and_secure_in_production(
    settings: Any,
) -> None:
    settings.SESSION_COOKIE_SECURE = True
    victim = UserFactory()
    browser = Client()
    response = browser.post(
        SIGN_IN, {"email": victim.email, "password": DEFAULT_PASSWORD}, secure=True
    )
    cookie = response.cookies[device_cookie_name()]
    assert device_cookie_name() == "__Host-pacetrack-device"
    assert cookie["httponly"] and cookie["secure"] and cookie["path"] == "/"
    assert cookie["samesite"] == "Lax" and not cookie["domain"]
    assert int(cookie["max-age"]) == settings.RATELIMIT_DEVICE_COOKIE_AGE
    assert victim.email not in cookie.value

    # A forged or altered cookie is no cookie: the paused account stays paused for it.
    attack(SIGN_IN, victim.email, times=10)
    session_expires(browser, settings)
    browser.cookies[device_cookie_name()] = cookie.value[:-2] + "xx"
    assert sign_in(browser, victim.email).status_code == 429


@sends_email
def test_password_reset_not_blocked_by_sign_in_failures(mailoutbox: Any) -> None:
    victim = UserFactory()
    attack(SIGN_IN, victim.email)
    response = Client().post(
        "/auth/password/forgot/", {"email": victim.email}, REMOTE_ADDR=VICTIM_IP
    )
    assert response.status_code == 302
    assert response["Location"] == "/auth/password/forgot/sent/"
    reset = [m for m in mailoutbox if m.subject == "Reset your Pacetrack password"]
    assert [m.to for m in reset] == [[victim.email]]
    # The link works and signs the victim in, even while new devices are paused.
    browser = Client()
    link = link_in(reset[0])
    new_password = "a-brand-new-passphrase-77"
    done = browser.post(link, {"password1": new_password, "password2": new_password})
    assert done.status_code == 302 and browser.get("/account/").status_code == 200


@sends_email
def test_password_reset_over_its_budget_answers_the_same_and_sends_nothing(
    mailoutbox: Any,
) -> None:
    victim = UserFactory()
    answers = set()
    for i in range(7):
        response = Client().post(
            "/auth/password/forgot/", {"email": victim.email}, REMOTE_ADDR=f"192.0.2.{i}"
        )
        answers.add((response.status_code, response["Location"]))
    unknown = Client().post(
        "/auth/password/forgot/", {"email": "nobody@example.com"}, REMOTE_ADDR="192.0.2.99"
    )
    answers.add((unknown.status_code, unknown["Location"]))
    assert answers == {(302, "/auth/password/forgot/sent/")}
    assert len(mailoutbox) == 5  # RATELIMIT_AUTH_RESET: 5 an hour per address


def test_twenty_colleagues_behind_one_ip_can_all_sign_in() -> None:
    office = "192.0.2.1"
    colleagues = [UserFactory() for _ in range(20)]
    codes = [sign_in(Client(), c.email, ip=office).status_code for c in colleagues]
    assert codes == [302] * 20
    staff = [UserFactory(is_staff=True) for _ in range(6)]
    codes = [sign_in(Client(), s.email, ip=office, path=ADMIN_LOGIN).status_code for s in staff]
    assert codes == [302] * 6
    # Failures from that address still count: five, then the address is paused.
    wrong = [
        Client()
        .post(SIGN_IN, {"email": c.email, "password": "typo"}, REMOTE_ADDR=office)
        .status_code
        for c in colleagues[:6]
    ]
    assert wrong == [200] * 5 + [429]


def test_reset_requests_have_a_budget_of_their_own_per_ip() -> None:
    """Ten requests a quarter of an hour from one address ("auth-recovery"), apart from
    the failed sign-ins and sign-ups of "auth"."""
    ip = "192.0.2.44"
    answers = [
        Client()
        .post("/auth/password/forgot/", {"email": f"a{n}@example.com"}, REMOTE_ADDR=ip)
        .status_code
        for n in range(11)
    ]
    assert answers == [302] * 10 + [429]


@sends_email
def test_the_failed_sign_ins_that_made_someone_reset_do_not_block_the_reset(
    mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    """Five wrong passwords fill the address's "auth" budget (the sixth try is
    refused); asking for a reset link and choosing a new password still work."""
    person = UserFactory()
    browser = Client()
    tries = [
        browser.post(SIGN_IN, {"email": person.email, "password": "typo"}, REMOTE_ADDR=VICTIM_IP)
        for _ in range(6)
    ]
    assert [r.status_code for r in tries] == [200] * 5 + [429]

    with django_capture_on_commit_callbacks(execute=True):
        asked = browser.post(
            "/auth/password/forgot/", {"email": person.email}, REMOTE_ADDR=VICTIM_IP
        )
    assert asked.status_code == 302
    link = link_in(mailoutbox[-1])
    chosen = browser.post(
        link,
        {"password1": "a-new-one-for-me-42", "password2": "a-new-one-for-me-42"},
        REMOTE_ADDR=VICTIM_IP,
    )

    assert chosen.status_code == 302
    person.refresh_from_db()
    assert person.check_password("a-new-one-for-me-42")


@sends_email
def test_paused_account_owner_gets_one_email_at_most_hourly(settings: Any, mailoutbox: Any) -> None:
    settings.RATELIMIT_TIERS = {**settings.RATELIMIT_TIERS, "auth-account": {"rate": "3/10m"}}
    victim = UserFactory()
    with time_machine.travel(datetime(2025, 3, 1, 12, 0, tzinfo=UTC), tick=False) as clock:
        assert attack(SIGN_IN, victim.email, times=5) == [200, 200, 200, 429, 429]
        paused = [m for m in mailoutbox if m.subject == PAUSED_SUBJECT]
        assert [m.to for m in paused] == [[victim.email]]
        assert "/auth/password/forgot/" in paused[0].body
        assert "up to 10 minutes" in paused[0].body

        clock.shift(timedelta(minutes=11))  # the pause ends; the attacker re-arms it
        assert attack(SIGN_IN, victim.email, times=4) == [200, 200, 200, 429]
        assert len([m for m in mailoutbox if m.subject == PAUSED_SUBJECT]) == 1

        clock.shift(timedelta(minutes=50))  # more than an hour after the first notice
        attack(SIGN_IN, victim.email, times=3)
        assert len([m for m in mailoutbox if m.subject == PAUSED_SUBJECT]) == 2


@sends_email
def test_pausing_an_unknown_address_emails_nobody_and_looks_the_same(
    mailoutbox: Any, caplog: Any
) -> None:
    with caplog.at_level(logging.WARNING, logger="pacetrack.security"):
        assert attack(SIGN_IN, "nobody@example.com") == [200] * 10 + [429] * 2
    assert mailoutbox == []
    refused = Client().post(SIGN_IN, {"email": "nobody@example.com", "password": "x"})
    assert refused.status_code == 429 and PAUSED_PAGE in refused.content.decode()
    events = [getattr(r, "event", None) for r in caplog.records]
    assert events.count("sign_in.paused") == 1


def test_a_neighbour_failing_behind_the_same_address_cannot_pause_a_known_device(
    settings: Any,
) -> None:
    colleague = UserFactory()
    browser = Client()
    assert sign_in(browser, colleague.email).status_code == 302
    session_expires(browser, settings)
    # Someone behind the same office address uses up the per-IP budget on purpose.
    neighbour = [
        Client().post(SIGN_IN, {"email": "x@example.com", "password": "no"}, REMOTE_ADDR=VICTIM_IP)
        for _ in range(6)
    ]
    assert neighbour[-1].status_code == 429
    # A new browser at that address is paused; the colleague's own browser is not.
    assert sign_in(Client(), UserFactory().email).status_code == 429
    assert sign_in(browser, colleague.email).status_code == 302


def test_a_fullwidth_spelling_of_a_staff_address_does_not_sign_in_at_the_admin_login() -> None:
    """Django's admin form NFKC-normalised the address: "ｓtaff@…" (fullwidth s) signed
    in as staff@…, and every such spelling had a failure budget of its own (the limiter
    counts the address as posted), so staff had no per-account limit at /admin/login/.
    An address signs in there as on the app's form: as stored, trimmed and lower-cased."""
    staff = UserFactory(email="staff@example.com", is_staff=True)
    assert attack(ADMIN_LOGIN, staff.email, field="username")[-2:] == [429, 429]

    for spelling in ["ｓtaff@example.com", "ｓｔａｆｆ@example.com", "staff@ｅxample.com"]:
        client = Client()
        response = sign_in(client, spelling, ip=f"192.0.2.{len(spelling)}", path=ADMIN_LOGIN)
        assert response.status_code in (200, 429), spelling
        assert "_auth_user_id" not in client.session, spelling
