"""Trusted browsers: "Don't ask again on this browser for 30 days" at the second step.

Ticking the box after a right code leaves a random token in an HttpOnly cookie and its
SHA-256 on the server, for that one account. The right password on that browser then
signs in without the second step, until the trust expires or is forgotten: by the
person, by a password change or reset, by signing out the other devices, or by turning
two-factor off. The token is never enough without the password, never works for another
account, and "Confirm it's you" still asks for a code.
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from core.models import AuditEvent
from mfa.models import TrustedBrowser
from mfa.pending import pending_cookie_name
from mfa.selectors import trusted_browsers_of
from mfa.services import totp_remove
from mfa.services_trusted import trusted_browsers_forget_all, trusted_token_hash
from mfa.totp import totp_code_at
from mfa.trusted import trust_cookie_name
from sessions_app.authentication import session_has_second_factor
from sessions_app.selectors import sessions_without_second_step
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.accounts.mailtools import link_in
from tests.mfa.helpers import age_sign_in, enable_totp
from tests.sessions_app.helpers import FIREFOX_LINUX, row_of

pytestmark = pytest.mark.django_db

SIGN_IN = "/auth/sign-in/"
VERIFY = "/auth/sign-in/verify/"
SECURITY = "/account/security/"
T0 = datetime(2027, 1, 4, 9, 0, 0, tzinfo=UTC)  # the start of a 30-second step
STEP = timedelta(seconds=30)  # one code per step: each sign-in below takes the next one
NEW_PASSWORD = "a-brand-new-password-42"


@pytest.fixture
def person() -> Any:
    return UserFactory()


@pytest.fixture
def secret(person: Any) -> str:
    secret, _ = enable_totp(person, at=T0)
    return secret


def password_step(client: Client, user: Any, password: str = DEFAULT_PASSWORD) -> Any:
    return client.post(
        SIGN_IN, {"email": user.email, "password": password}, HTTP_USER_AGENT=FIREFOX_LINUX
    )


def code_step(client: Client, code: str, *, trust: bool, factor: str = "totp") -> Any:
    data = {"factor": factor, "code": code} | ({"trust": "on"} if trust else {})
    return client.post(VERIFY, data, HTTP_USER_AGENT=FIREFOX_LINUX)


def signed_in(client: Client) -> bool:
    return client.get("/account/").status_code == 200


def asked_for_a_code(response: Any) -> bool:
    return response.status_code == 302 and response["Location"] == VERIFY


def trusting_browser(person: Any, secret: str, *, at: datetime = T0) -> Client:
    """A browser where `person` signed in with a code and ticked the box."""
    client = Client()
    with time_machine.travel(at, tick=False):
        password_step(client, person)
        response = code_step(client, totp_code_at(secret), trust=True)
    assert response.status_code == 302 and signed_in(client)
    return client


def after_sign_out(client: Client) -> Client:
    """The same browser once its session is gone but its cookies are not (an expired
    session, a sign-out elsewhere): a fresh client holding only the trust cookie."""
    fresh = Client()
    if trust_cookie_name() in client.cookies:
        fresh.cookies[trust_cookie_name()] = client.cookies[trust_cookie_name()].value
    return fresh


def token(client: Client) -> str:
    return client.cookies[trust_cookie_name()].value


# --- Trusting a browser -------------------------------------------------------------------


def test_ticking_the_box_trusts_this_browser_and_keeps_only_the_tokens_hash(
    person: Any, secret: str
) -> None:
    client = trusting_browser(person, secret)

    cookie = client.cookies[trust_cookie_name()]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/"
    assert cookie["max-age"] == 30 * 24 * 60 * 60
    raw = cookie.value
    assert len(raw) >= 43  # 32 random bytes, base64url
    row = TrustedBrowser.objects.get()
    assert row.user == person
    assert row.token_hash == hashlib.sha256(raw.encode()).hexdigest() != raw
    assert not TrustedBrowser.objects.filter(token_hash=raw).exists()
    assert row.created_at == T0 and row.expires_at == T0 + timedelta(days=30)
    assert row.device == "Firefox on Linux" and row.last_used_at is None
    event = AuditEvent.objects.get(action="mfa.browser_trusted")
    assert event.actor_id == person.pk and event.after == {"days": 30}


def test_behind_https_the_cookie_is_secure_and_host_prefixed(
    person: Any, secret: str, settings: Any
) -> None:
    settings.SESSION_COOKIE_SECURE = True
    client = Client()
    with time_machine.travel(T0, tick=False):
        client.post(SIGN_IN, {"email": person.email, "password": DEFAULT_PASSWORD}, secure=True)
        response = client.post(
            VERIFY, {"factor": "totp", "code": totp_code_at(secret), "trust": "on"}, secure=True
        )

    cookie = response.cookies["__Host-pacetrack-trusted"]
    assert cookie["secure"] and cookie["httponly"] and cookie["path"] == "/"
    assert "pacetrack-trusted" not in response.cookies


def test_the_box_is_offered_unticked_on_the_code_forms(person: Any, secret: str) -> None:
    client = Client()
    with time_machine.travel(T0, tick=False):
        password_step(client, person)
        for method in ("totp", "recovery_code"):
            page = client.get(f"{VERIFY}?method={method}").content.decode()
            assert "Don&#x27;t ask again on this browser for 30 days" in page
            assert 'type="checkbox" name="trust"' in page
            box = re.search(r'<input type="checkbox" name="trust"[^>]*>', page)
            assert box is not None and "checked" not in box.group(0), box.group(0)
            assert "Signing out forgets it" in page


def test_the_box_unticked_sets_no_cookie_and_keeps_no_record(person: Any, secret: str) -> None:
    client = Client()
    with time_machine.travel(T0, tick=False):
        password_step(client, person)
        response = code_step(client, totp_code_at(secret), trust=False)

    assert signed_in(client)
    assert trust_cookie_name() not in response.cookies
    assert not TrustedBrowser.objects.exists()
    with time_machine.travel(T0 + STEP, tick=False):
        assert asked_for_a_code(password_step(after_sign_out(client), person))


def test_a_wrong_code_with_the_box_ticked_trusts_nothing(person: Any, secret: str) -> None:
    client = Client()
    with time_machine.travel(T0, tick=False):
        password_step(client, person)
        response = code_step(client, "000000", trust=True)

    assert response.status_code == 200 and not signed_in(client)
    assert trust_cookie_name() not in response.cookies
    assert not TrustedBrowser.objects.exists()


def test_a_recovery_code_can_trust_the_browser_too(person: Any) -> None:
    _, codes = enable_totp(person, at=T0)
    client = Client()
    with time_machine.travel(T0, tick=False):
        password_step(client, person)
        code_step(client, codes[0], trust=True, factor="recovery_code")

    assert signed_in(client)
    assert TrustedBrowser.objects.filter(user=person).count() == 1
    with time_machine.travel(T0 + STEP, tick=False):
        fresh = after_sign_out(client)
        password_step(fresh, person)
    assert signed_in(fresh)


# --- Signing in on a trusted browser ----------------------------------------------------------


def test_the_password_alone_signs_in_on_a_trusted_browser(
    person: Any, secret: str, caplog: Any
) -> None:
    client = after_sign_out(trusting_browser(person, secret))

    with (
        time_machine.travel(T0 + timedelta(days=3), tick=False),
        caplog.at_level(logging.INFO, logger="pacetrack.security"),
    ):
        response = password_step(client, person)

    assert response.status_code == 302 and response["Location"] != VERIFY
    assert signed_in(client)
    assert row_of(client).factors == ["Password", "Trusted browser"]
    assert pending_cookie_name() not in client.cookies
    assert TrustedBrowser.objects.get().last_used_at == T0 + timedelta(days=3)
    skipped = [r for r in caplog.records if getattr(r, "event", "") == "second_factor.skipped"]
    assert [(r.user_id, r.reason) for r in skipped] == [(person.pk, "trusted_browser")]
    activity = client.get(SECURITY).content.decode()
    assert "Password + Trusted browser" in activity


def test_a_trusted_sign_in_counts_as_having_met_the_second_step(person: Any, secret: str) -> None:
    client = after_sign_out(trusting_browser(person, secret))
    with time_machine.travel(T0 + STEP, tick=False):
        password_step(client, person)
    other = Client()
    other.force_login(person)  # a password-only session from before two-factor was on

    listed = sessions_without_second_step(user=person, except_session=None)

    assert [s.pk for s in listed] == [row_of(other).pk]
    # It proved no factor itself: /admin/ and other checks of this session still ask.
    assert not session_has_second_factor(client.session)


def test_the_cookie_without_the_right_password_signs_nobody_in(person: Any, secret: str) -> None:
    client = after_sign_out(trusting_browser(person, secret))

    with time_machine.travel(T0 + STEP, tick=False):
        response = password_step(client, person, password="not-the-password")
        assert response.status_code == 200
        assert "That email and password don&#x27;t match" in response.content.decode()
        assert not signed_in(client)
        assert client.get(VERIFY)["Location"] == SIGN_IN
    assert TrustedBrowser.objects.get().last_used_at is None


def test_a_token_trusted_by_another_account_does_not_skip_this_ones_second_step(
    person: Any, secret: str
) -> None:
    attacker = UserFactory()
    attacker_secret, _ = enable_totp(attacker, at=T0)
    # The attacker trusts their own browser, then types the victim's stolen password.
    browser = after_sign_out(trusting_browser(attacker, attacker_secret))

    with time_machine.travel(T0 + STEP, tick=False):
        response = password_step(browser, person)

    assert asked_for_a_code(response)
    assert not signed_in(browser)
    assert TrustedBrowser.objects.get().user == attacker  # theirs, untouched and unused
    assert TrustedBrowser.objects.get().last_used_at is None


def test_a_victims_token_copied_to_another_browser_still_needs_the_password(
    person: Any, secret: str
) -> None:
    stolen = token(trusting_browser(person, secret))
    thief = Client()
    thief.cookies[trust_cookie_name()] = stolen

    with time_machine.travel(T0 + STEP, tick=False):
        assert thief.get("/account/").status_code == 302  # a cookie is not a session
        response = password_step(thief, person, password="guessed-wrong-1")

    assert response.status_code == 200 and not signed_in(thief)


def test_a_forged_token_is_refused(person: Any, secret: str, caplog: Any) -> None:
    trusting_browser(person, secret)
    client = Client()
    client.cookies[trust_cookie_name()] = "A" * 43

    with (
        time_machine.travel(T0 + STEP, tick=False),
        caplog.at_level(logging.INFO, logger="pacetrack.security"),
    ):
        response = password_step(client, person)

    assert asked_for_a_code(response)
    events = [getattr(r, "event", "") for r in caplog.records]
    assert "trusted_browser.refused" in events and "second_factor.skipped" not in events


def test_trust_expires_after_thirty_days(person: Any, secret: str) -> None:
    client = after_sign_out(trusting_browser(person, secret))

    with time_machine.travel(T0 + timedelta(days=29, hours=23), tick=False):
        assert not asked_for_a_code(password_step(client, person))
    with time_machine.travel(T0 + timedelta(days=30, seconds=1), tick=False):
        assert asked_for_a_code(password_step(after_sign_out(client), person))


def test_a_shorter_trust_period_applies_to_trust_already_given(
    person: Any, secret: str, settings: Any
) -> None:
    client = after_sign_out(trusting_browser(person, secret))
    settings.MFA_TRUST_DAYS = 7

    with time_machine.travel(T0 + timedelta(days=8), tick=False):
        assert asked_for_a_code(password_step(client, person))


def test_a_forgotten_browsers_token_is_refused(person: Any, secret: str) -> None:
    trusted = trusting_browser(person, secret)
    stale = token(trusted)
    with time_machine.travel(T0 + STEP, tick=False):
        assert not asked_for_a_code(password_step(after_sign_out(trusted), person))
        row = TrustedBrowser.objects.get()
        trusted.post(f"{SECURITY}trusted-browsers/{row.pk}/forget/")
    assert not TrustedBrowser.objects.exists()

    client = Client()
    client.cookies[trust_cookie_name()] = stale
    with time_machine.travel(T0 + 2 * STEP, tick=False):
        assert asked_for_a_code(password_step(client, person))


def test_the_wrong_code_budget_still_applies_to_a_browser_trusted_by_someone_else(
    person: Any, secret: str
) -> None:
    attacker = UserFactory()
    attacker_secret, _ = enable_totp(attacker, at=T0)
    stolen_cookie = token(trusting_browser(attacker, attacker_secret))
    with time_machine.travel(T0 + STEP, tick=False):
        for i in range(10):  # ten browsers, each with the attacker's trusted token
            client = Client(REMOTE_ADDR=f"203.0.113.{i + 1}")
            client.cookies[trust_cookie_name()] = stolen_cookie
            assert asked_for_a_code(password_step(client, person))
            assert "isn&#x27;t right" in code_step(client, "000000", trust=True).content.decode()
        client = Client(REMOTE_ADDR="198.51.100.9")
        client.cookies[trust_cookie_name()] = stolen_cookie
        password_step(client, person)
        response = code_step(client, totp_code_at(secret), trust=True)

    assert "Too many wrong codes" in response.content.decode()
    assert not signed_in(client)
    assert not TrustedBrowser.objects.filter(user=person).exists()


def test_confirm_its_you_still_asks_for_a_code_on_a_trusted_browser(
    person: Any, secret: str
) -> None:
    client = after_sign_out(trusting_browser(person, secret))
    with time_machine.travel(T0 + STEP, tick=False):
        password_step(client, person)
        age_sign_in(person)

        response = client.get("/account/security/authenticator/")

    assert response.status_code == 302 and response["Location"].startswith("/auth/confirm/")
    with time_machine.travel(T0 + STEP, tick=False):
        prompt = client.get(response["Location"]).content.decode()
    assert "Confirm it" in prompt and 'name="trust"' not in prompt


# --- What forgets the trust ----------------------------------------------------------------


def test_a_password_change_forgets_every_trusted_browser(person: Any, secret: str) -> None:
    client = trusting_browser(person, secret)
    other = after_sign_out(trusting_browser(person, secret, at=T0 + STEP))
    assert TrustedBrowser.objects.count() == 2

    with time_machine.travel(T0 + 2 * STEP, tick=False):
        client.post(
            "/account/password/",
            {
                "current_password": DEFAULT_PASSWORD,
                "new_password": NEW_PASSWORD,
                "confirm_password": NEW_PASSWORD,
            },
        )
        assert not TrustedBrowser.objects.exists()
        assert asked_for_a_code(password_step(other, person, password=NEW_PASSWORD))
    event = AuditEvent.objects.get(action="mfa.browsers_forgotten")
    assert event.after == {"browsers": 2} and event.actor_id == person.pk


def test_a_password_reset_forgets_every_trusted_browser(
    person: Any, secret: str, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = after_sign_out(trusting_browser(person, secret))
    with time_machine.travel(T0 + STEP, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/auth/password/forgot/", {"email": person.email})
        response = client.post(
            link_in(mailoutbox[-1]), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        )

    assert response["Location"] == VERIFY  # the emailed link replaces the password only
    assert not TrustedBrowser.objects.exists()


def test_signing_out_the_other_devices_forgets_every_trusted_browser(
    person: Any, secret: str
) -> None:
    lost_laptop = after_sign_out(trusting_browser(person, secret))
    here = trusting_browser(person, secret, at=T0 + STEP)

    with time_machine.travel(T0 + 2 * STEP, tick=False):
        here.post("/account/sessions/revoke-others/")
        assert asked_for_a_code(password_step(lost_laptop, person))
    assert not TrustedBrowser.objects.exists()
    assert signed_in(here)


def test_a_device_signed_out_from_another_loses_its_trust(person: Any, secret: str) -> None:
    """Someone phished the password and a code, ticked the box on their own browser; the
    owner sees the strange device and signs it out. It must not come back with the
    password alone for the rest of the 30 days."""
    attackers = trusting_browser(person, secret)
    owners = trusting_browser(person, secret, at=T0 + STEP)

    with time_machine.travel(T0 + 2 * STEP, tick=False):
        owners.post(f"/account/sessions/{row_of(attackers).pk}/revoke/")
        assert asked_for_a_code(password_step(after_sign_out(attackers), person))
    # Only that browser's trust: the owner's own stays.
    assert TrustedBrowser.objects.get().token_hash == trusted_token_hash(token(owners))
    assert AuditEvent.objects.filter(action="mfa.browser_forgotten").count() == 1


def test_signing_out_on_a_trusted_browser_forgets_its_trust_on_the_server_too(
    person: Any, secret: str
) -> None:
    """Clear-Site-Data removes the cookie; a copy taken before (malware, a backup) is
    refused all the same."""
    browser = trusting_browser(person, secret)
    copy = after_sign_out(browser)

    browser.post("/auth/sign-out/")

    with time_machine.travel(T0 + STEP, tick=False):
        assert asked_for_a_code(password_step(copy, person))
    assert not TrustedBrowser.objects.exists()


def test_a_trusted_sign_in_keeps_working_sign_in_after_sign_in(person: Any, secret: str) -> None:
    """Each sign-in rotates the session it starts from: a rotation forgets nothing."""
    client = after_sign_out(trusting_browser(person, secret))
    for day in (1, 2, 3):
        with time_machine.travel(T0 + timedelta(days=day), tick=False):
            assert not asked_for_a_code(password_step(client, person))
        client = after_sign_out(client)
    assert TrustedBrowser.objects.count() == 1


def test_turning_two_factor_off_forgets_every_trusted_browser(person: Any, secret: str) -> None:
    trusting_browser(person, secret)

    totp_remove(user=person, acting_user=person)

    assert not TrustedBrowser.objects.exists()
    assert AuditEvent.objects.get(action="mfa.browsers_forgotten").actor_id == person.pk


def test_new_recovery_codes_keep_the_trusted_browsers(person: Any, secret: str) -> None:
    """A choice: new codes replace codes, not the browsers the person chose to trust."""
    client = trusting_browser(person, secret)
    with time_machine.travel(T0 + STEP, tick=False):
        client.post(f"{SECURITY}recovery-codes/")
    assert TrustedBrowser.objects.count() == 1


# --- The security page --------------------------------------------------------------------------


def test_the_security_page_lists_trusted_browsers_and_marks_this_one(
    person: Any, secret: str
) -> None:
    trusting_browser(person, secret)
    client = trusting_browser(person, secret, at=T0 + STEP)

    with time_machine.travel(T0 + 2 * STEP, tick=False):
        page = client.get(SECURITY).content.decode()

    assert page.count(' id="trusted-browser-') == 2
    assert page.count("Firefox on Linux") >= 2
    assert page.count("This browser") == 1
    assert "Not used yet" in page and "Expires" in page
    assert "Forget all" in page
    assert "Browser trusted to sign in without a code" in page  # the activity


def test_without_trusted_browsers_the_page_says_how_to_trust_one(
    auth_client: Client, user: Any
) -> None:
    enable_totp(user)

    page = auth_client.get(SECURITY).content.decode()

    assert 'data-testid="trusted-browsers-empty"' in page
    assert "Forget all" not in page


def test_forgetting_this_browser_clears_its_cookie_and_is_audited(person: Any, secret: str) -> None:
    client = trusting_browser(person, secret)
    row = TrustedBrowser.objects.get()

    with time_machine.travel(T0 + STEP, tick=False):
        response = client.post(f"{SECURITY}trusted-browsers/{row.pk}/forget/")

    assert response["Location"] == f"{SECURITY}#trusted-browsers"
    assert response.cookies[trust_cookie_name()].value == ""
    assert trusted_browsers_of(user=person) == []
    event = AuditEvent.objects.get(action="mfa.browser_forgotten")
    assert event.actor_id == person.pk and event.target_label == "Firefox on Linux"


def test_nobody_can_forget_another_persons_trusted_browser(person: Any, secret: str) -> None:
    trusting_browser(person, secret)
    row = TrustedBrowser.objects.get()
    stranger = Client()
    stranger.force_login(UserFactory())

    response = stranger.post(f"{SECURITY}trusted-browsers/{row.pk}/forget/", follow=True)

    assert TrustedBrowser.objects.filter(pk=row.pk).exists()
    assert "already forgotten" in response.content.decode()
    assert not AuditEvent.objects.filter(action="mfa.browser_forgotten").exists()


def test_forget_all_forgets_every_browser_of_this_person_only(person: Any, secret: str) -> None:
    trusting_browser(person, secret)
    client = trusting_browser(person, secret, at=T0 + STEP)
    someone = UserFactory()
    someone_secret, _ = enable_totp(someone, at=T0)
    trusting_browser(someone, someone_secret, at=T0 + 2 * STEP)

    with time_machine.travel(T0 + 3 * STEP, tick=False):
        response = client.post(f"{SECURITY}trusted-browsers/forget/", follow=True)

    assert "Forgot 2 browsers" in response.content.decode()
    assert not TrustedBrowser.objects.filter(user=person).exists()
    assert TrustedBrowser.objects.filter(user=someone).count() == 1
    assert AuditEvent.objects.get(action="mfa.browsers_forgotten").after == {"browsers": 2}


def test_forgetting_takes_a_post(person: Any, secret: str) -> None:
    client = trusting_browser(person, secret)
    row = TrustedBrowser.objects.get()

    assert client.get(f"{SECURITY}trusted-browsers/{row.pk}/forget/").status_code == 405
    assert client.get(f"{SECURITY}trusted-browsers/forget/").status_code == 405
    assert TrustedBrowser.objects.count() == 1


def test_forget_all_with_none_trusted_writes_no_event(user: Any) -> None:
    assert trusted_browsers_forget_all(user=user, acting_user=user) == 0
    assert not AuditEvent.objects.filter(action="mfa.browsers_forgotten").exists()


# --- Turned off ----------------------------------------------------------------------------------


def test_zero_days_hides_the_box_and_ignores_trust_given_before(
    person: Any, secret: str, settings: Any
) -> None:
    trusted = after_sign_out(trusting_browser(person, secret))
    settings.MFA_TRUST_DAYS = 0
    client = Client()

    with time_machine.travel(T0 + STEP, tick=False):
        assert asked_for_a_code(password_step(trusted, person))
        password_step(client, person)
        assert 'name="trust"' not in client.get(VERIFY).content.decode()
        response = code_step(client, totp_code_at(secret), trust=True)
        assert signed_in(client)
        assert trust_cookie_name() not in response.cookies
        assert "trusted-browsers" not in client.get(SECURITY).content.decode()
    assert TrustedBrowser.objects.count() == 1  # the one from before, unused


def test_a_passkey_at_the_second_step_can_trust_the_browser_too(settings: Any) -> None:
    from tests.mfa.softauthn import SoftAuthenticator
    from tests.mfa.test_passkeys import ORIGIN, RP_ID, options, register

    settings.MFA_WEBAUTHN_RP_ID, settings.MFA_WEBAUTHN_ORIGINS = RP_ID, [ORIGIN]
    device = SoftAuthenticator(rp_id=RP_ID, origin=ORIGIN)
    person = UserFactory()
    setup = Client()
    setup.force_login(person)
    register(setup, device)
    client = Client()
    password_step(client, person)
    page = client.get(VERIFY).content.decode()
    # One box, shown for both forms (its copy in the passkey form is filled by script).
    assert page.count('type="checkbox"') == 1 and 'form="verify-code"' in page
    assert 'name="trust" value="" data-copies="id_trust"' in page

    client.post(
        VERIFY,
        {
            "factor": "passkey",
            "credential": device.get(options(client, "second_factor")),
            "trust": "on",
        },
    )

    assert signed_in(client)
    assert TrustedBrowser.objects.filter(user=person).count() == 1
    fresh = after_sign_out(client)
    password_step(fresh, person)
    assert signed_in(fresh) and row_of(fresh).factors == ["Password", "Trusted browser"]
