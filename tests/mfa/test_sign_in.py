"""Signing in with two-factor authentication, through the real pages.

Between the password and the code nobody is signed in: no session row, no session
cookie, only a signed pending cookie that dies after five minutes.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from mfa.models import FailedSignIn
from mfa.pending import pending_cookie_name
from mfa.services import totp_remove
from mfa.totp import totp_code_at
from sessions_app.models import Session
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.accounts.mailtools import link_in
from tests.mfa.helpers import enable_totp
from tests.sessions_app.helpers import FIREFOX_LINUX, row_of

pytestmark = pytest.mark.django_db

SIGN_IN = "/auth/sign-in/"
VERIFY = "/auth/sign-in/verify/"
T0 = datetime(2027, 1, 4, 9, 0, 0, tzinfo=UTC)  # the start of a 30-second step


@pytest.fixture
def person() -> Any:
    return UserFactory()


@pytest.fixture
def secret(person: Any) -> str:
    secret, _ = enable_totp(person, at=T0)
    return secret


def password_step(client: Client, user: Any, **extra: Any) -> Any:
    return client.post(SIGN_IN, {"email": user.email, "password": DEFAULT_PASSWORD}, **extra)


def code_step(client: Client, code: str, *, factor: str = "totp", **extra: Any) -> Any:
    return client.post(VERIFY, {"factor": factor, "code": code}, **extra)


def signed_in(client: Client) -> bool:
    return client.get("/account/").status_code == 200


# --- Between the steps ----------------------------------------------------------------------


@time_machine.travel(T0, tick=False)
def test_the_right_password_leads_to_the_second_step_without_signing_in(
    client: Client, person: Any, secret: str
) -> None:
    response = password_step(client, person)

    assert response.status_code == 302
    assert response["Location"] == VERIFY
    assert Session.objects.count() == 0
    assert settings.SESSION_COOKIE_NAME not in client.cookies
    pending = client.cookies[pending_cookie_name()]
    assert pending["max-age"] == 300 and pending["httponly"]
    assert not signed_in(client)
    page = client.get(VERIFY).content.decode()
    assert "Signing in as" in page and person.email in page
    assert Session.objects.count() == 0


@time_machine.travel(T0, tick=False)
def test_the_code_signs_in_and_the_session_records_both_factors(
    client: Client, person: Any, secret: str
) -> None:
    password_step(client, person, HTTP_USER_AGENT=FIREFOX_LINUX)

    response = code_step(client, totp_code_at(secret), HTTP_USER_AGENT=FIREFOX_LINUX)

    assert response.status_code == 302
    assert signed_in(client)
    assert row_of(client).factors == ["Password", "Authenticator app"]
    assert client.cookies[pending_cookie_name()].value == ""  # cleared
    devices = client.get("/account/sessions/").content.decode()
    assert "Password + Authenticator app" in devices


@time_machine.travel(T0, tick=False)
def test_next_survives_the_second_step(client: Client, person: Any, secret: str) -> None:
    client.post(
        SIGN_IN + "?next=/account/sessions/",
        {"email": person.email, "password": DEFAULT_PASSWORD, "next": "/account/sessions/"},
    )
    response = code_step(client, totp_code_at(secret))

    assert response["Location"] == "/account/sessions/"


def test_the_second_step_is_refused_after_five_minutes(
    client: Client, person: Any, secret: str
) -> None:
    with time_machine.travel(T0, tick=False):
        password_step(client, person)
    with time_machine.travel(T0 + timedelta(seconds=301), tick=False):
        # The browser would have dropped the cookie; a client that keeps it gets nowhere.
        response = code_step(client, totp_code_at(secret))

    assert response.status_code == 302 and response["Location"] == SIGN_IN
    assert Session.objects.count() == 0
    follow = client.get(SIGN_IN).content.decode()
    assert "waited more than five minutes" in follow


@time_machine.travel(T0, tick=False)
def test_a_forged_pending_cookie_is_refused(client: Client, person: Any, secret: str) -> None:
    client.cookies[pending_cookie_name()] = "eyJ1Ijo0Mn0:forged:signature"

    response = code_step(client, totp_code_at(secret))

    assert response["Location"] == SIGN_IN
    assert Session.objects.count() == 0


@time_machine.travel(T0, tick=False)
def test_a_password_change_in_between_voids_the_pending_sign_in(
    client: Client, person: Any, secret: str
) -> None:
    password_step(client, person)
    person.set_password("a-new-and-different-password")
    person.save()

    response = code_step(client, totp_code_at(secret))

    assert response["Location"] == SIGN_IN
    assert Session.objects.count() == 0


# --- Refusals ---------------------------------------------------------------------------------


def test_a_replayed_code_is_refused(person: Any, secret: str) -> None:
    with time_machine.travel(T0, tick=False):
        code = totp_code_at(secret)
        first, second = Client(), Client()
        password_step(first, person)
        assert code_step(first, code).status_code == 302
        password_step(second, person)
        response = code_step(second, code)

    assert response.status_code == 200
    assert "isn&#x27;t right or was already used" in response.content.decode()
    assert not signed_in(second)


def test_a_code_from_another_persons_app_is_refused(
    client: Client, person: Any, secret: str, other_user: Any
) -> None:
    others_secret, _ = enable_totp(other_user, at=T0)
    with time_machine.travel(T0, tick=False):
        password_step(client, person)
        response = code_step(client, totp_code_at(others_secret))

    assert response.status_code == 200
    assert not signed_in(client)


def test_the_second_step_has_its_own_budget_per_account(
    person: Any, secret: str, settings: Any
) -> None:
    with time_machine.travel(T0, tick=False):
        for i in range(10):  # ten browsers, ten addresses: only the account is shared
            client = Client(REMOTE_ADDR=f"203.0.113.{i + 1}")
            password_step(client, person)
            assert "isn&#x27;t right" in code_step(client, "000000").content.decode()
        client = Client(REMOTE_ADDR="198.51.100.9")
        password_step(client, person)
        response = code_step(client, totp_code_at(secret))

    assert "Too many wrong codes" in response.content.decode()
    assert not signed_in(client)


def test_the_second_step_has_its_own_budget_per_address(settings: Any) -> None:
    settings.RATELIMIT_TIERS = {**settings.RATELIMIT_TIERS, "mfa": {"rate": "3/15m"}}
    people = [UserFactory() for _ in range(4)]
    secrets_ = [enable_totp(p, at=T0)[0] for p in people]
    with time_machine.travel(T0, tick=False):
        for p in people[:3]:
            client = Client(REMOTE_ADDR="203.0.113.50")
            password_step(client, p)
            code_step(client, "000000")
        client = Client(REMOTE_ADDR="203.0.113.50")
        password_step(client, people[3])
        response = code_step(client, totp_code_at(secrets_[3]))

    assert "Too many wrong codes" in response.content.decode()


@time_machine.travel(T0, tick=False)
def test_a_right_password_does_not_use_up_the_password_budget(person: Any, secret: str) -> None:
    # The auth tier allows 5 failures per 15 minutes from one address.
    for _ in range(8):
        response = password_step(Client(REMOTE_ADDR="203.0.113.60"), person)
        assert response.status_code == 302


@time_machine.travel(T0, tick=False)
def test_wrong_passwords_and_codes_appear_on_the_security_page(person: Any, secret: str) -> None:
    Client(HTTP_USER_AGENT=FIREFOX_LINUX, REMOTE_ADDR="203.0.113.70").post(
        SIGN_IN, {"email": person.email, "password": "not-the-password"}
    )
    client = Client(HTTP_USER_AGENT=FIREFOX_LINUX, REMOTE_ADDR="203.0.113.71")
    password_step(client, person)
    code_step(client, "000000")

    assert list(FailedSignIn.objects.order_by("pk").values_list("stage", "ip_address")) == [
        ("password", "203.0.113.70"),
        ("second_factor", "203.0.113.71"),
    ]
    page = Client()
    page.force_login(person)
    activity = page.get("/account/security/").content.decode()
    assert "Failed sign-in: wrong password" in activity
    assert "Failed sign-in: wrong two-factor code" in activity
    assert "Firefox on Linux" in activity


@time_machine.travel(T0, tick=False)
def test_the_security_page_names_devices_in_the_readers_language(person: Any, secret: str) -> None:
    type(person).objects.filter(pk=person.pk).update(language="de")
    Client(HTTP_USER_AGENT=FIREFOX_LINUX, REMOTE_ADDR="203.0.113.70").post(
        SIGN_IN, {"email": person.email, "password": "not-the-password"}
    )
    client = Client(HTTP_USER_AGENT=FIREFOX_LINUX, REMOTE_ADDR="203.0.113.71")
    password_step(client, person)
    code_step(client, totp_code_at(secret))
    assert signed_in(client)

    activity = client.get("/account/security/").content.decode()
    # The failed attempt and the sign-in, both from Firefox on Linux.
    assert activity.count("Firefox unter Linux") == 2
    assert "Firefox on Linux" not in activity


# --- Recovery codes and other ways in --------------------------------------------------------


def test_a_recovery_code_signs_in_once(person: Any) -> None:
    _, codes = enable_totp(person, at=T0)
    first = Client()
    password_step(first, person)
    assert "Use a recovery code" in first.get(VERIFY).content.decode()

    response = code_step(first, codes[0], factor="recovery_code")

    assert response.status_code == 302
    assert row_of(first).factors == ["Password", "Recovery code"]
    second = Client()
    password_step(second, person)
    assert code_step(second, codes[0], factor="recovery_code").status_code == 200
    assert not signed_in(second)


def test_without_two_factor_the_password_alone_signs_in(client: Client, person: Any) -> None:
    response = password_step(client, person)

    assert response["Location"] != VERIFY
    assert row_of(client).factors == ["Password"]


@time_machine.travel(T0, tick=False)
def test_two_factor_turned_off_meanwhile_finishes_the_sign_in(
    client: Client, person: Any, secret: str
) -> None:
    password_step(client, person)
    totp_remove(user=person, acting_user=person)

    client.get(VERIFY)

    assert signed_in(client)


def test_a_new_device_still_gets_its_notice(
    person: Any, secret: str, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    for step, (ua, ip) in enumerate([(FIREFOX_LINUX, "203.0.113.10"), ("Safari", "198.51.100.4")]):
        client = Client(HTTP_USER_AGENT=ua, REMOTE_ADDR=ip)
        with time_machine.travel(T0 + timedelta(minutes=step), tick=False):
            password_step(client, person)
            with django_capture_on_commit_callbacks(execute=True):
                code_step(client, totp_code_at(secret))

    assert [m.subject for m in mailoutbox] == ["New sign-in to your account"]


@time_machine.travel(T0, tick=False)
def test_a_password_reset_does_not_skip_the_second_step(
    client: Client,
    person: Any,
    secret: str,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/auth/password/forgot/", {"email": person.email})
    link = link_in(mailoutbox[-1])
    form = {"password1": "a-brand-new-password-42", "password2": "a-brand-new-password-42"}
    response = client.post(link, form)

    assert response["Location"] == VERIFY
    assert Session.objects.filter(revoked_at__isnull=True).count() == 0
    code_step(client, totp_code_at(secret))
    assert signed_in(client)


@time_machine.travel(T0, tick=False)
def test_the_admin_login_form_sends_two_factor_accounts_to_the_sign_in_page(
    client: Client, secret: str, person: Any
) -> None:
    person.is_staff = True
    person.save()

    response = client.post(
        "/admin/login/", {"username": person.email, "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 200
    assert "uses two-factor authentication" in response.content.decode()
    assert Session.objects.count() == 0


@time_machine.travel(T0, tick=False)
def test_someone_who_lost_every_factor_is_told_whom_to_write_to(
    client: Client, person: Any, secret: str, settings: Any
) -> None:
    """The page said "ask your administrator": only the site's operators can reset two-
    factor, and someone on their own has no administrator."""
    password_step(client, person)
    page = html.unescape(client.get(VERIFY).content.decode())
    assert "The people who run this site can reset two-factor authentication" in page
    assert "administrator" not in page

    settings.SUPPORT_EMAIL = "help@pacetrack.example"
    page = html.unescape(client.get(VERIFY).content.decode())
    assert "Write to help@pacetrack.example: once they have checked it is you" in page
