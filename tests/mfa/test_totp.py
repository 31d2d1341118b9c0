"""Authenticator apps (TOTP): set-up, the ±1 step window and replay protection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest
import time_machine
from django.db import connection

from core.models import AuditEvent
from mfa.exceptions import SecondFactorInvalid, TwoFactorStateError
from mfa.models import TOTPDevice
from mfa.services import second_factor_check, totp_confirm, totp_remove, totp_setup_begin
from mfa.totp import totp_code_at, totp_match_step, totp_qr_data_uri, totp_uri
from sessions_app.authentication import Factor
from tests.accounts.factories import UserFactory
from tests.mfa.helpers import email_subjects, enable_totp

pytestmark = pytest.mark.django_db

# The start of a 30-second step, so "one step later" is unambiguous.
T0 = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)


def at(seconds: float) -> float:
    return T0.timestamp() + seconds


def check(user: Any, code: str) -> None:
    second_factor_check(user=user, factor=Factor.TOTP, code=code)


# --- The window --------------------------------------------------------------------


def test_a_code_matches_its_own_step_and_one_step_either_side_only() -> None:
    secret = pyotp.random_base32()
    code = totp_code_at(secret, at=at(0))

    assert totp_match_step(secret, code, at=at(0)) == at(0) // 30
    assert totp_match_step(secret, code, at=at(30)) is not None  # the phone is 30 s slow
    assert totp_match_step(secret, code, at=at(-30)) is not None  # the phone is 30 s fast
    assert totp_match_step(secret, code, at=at(60)) is None
    assert totp_match_step(secret, code, at=at(-60)) is None


def test_codes_are_read_as_people_type_them() -> None:
    secret = pyotp.random_base32()
    code = totp_code_at(secret, at=at(0))

    assert totp_match_step(secret, f" {code[:3]} {code[3:]} ", at=at(0)) is not None
    assert totp_match_step(secret, code[:5], at=at(0)) is None
    assert totp_match_step(secret, "abcdef", at=at(0)) is None


# --- Set-up ----------------------------------------------------------------------------


def test_set_up_shows_the_same_secret_on_reload_and_a_new_one_after_half_an_hour(user: Any) -> None:
    with time_machine.travel(T0, tick=False):
        _, first = totp_setup_begin(user=user)
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        _, again = totp_setup_begin(user=user)
    with time_machine.travel(T0 + timedelta(minutes=31), tick=False):
        _, later = totp_setup_begin(user=user)

    assert again == first
    assert later != first
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_the_app_is_on_only_once_a_code_from_it_is_confirmed(user: Any) -> None:
    with time_machine.travel(T0, tick=False):
        _, secret = totp_setup_begin(user=user)
        assert not TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()
        with pytest.raises(SecondFactorInvalid):
            totp_confirm(user=user, code="000000" if totp_code_at(secret) != "000000" else "111111")
        codes = totp_confirm(user=user, code=totp_code_at(secret))

    assert TOTPDevice.objects.get(user=user).confirmed_at == T0
    assert len(codes) == 10


def test_a_set_up_left_for_half_an_hour_cannot_be_confirmed(user: Any) -> None:
    with time_machine.travel(T0, tick=False):
        _, secret = totp_setup_begin(user=user)
    with (
        time_machine.travel(T0 + timedelta(minutes=31), tick=False),
        pytest.raises(TwoFactorStateError),
    ):
        totp_confirm(user=user, code=totp_code_at(secret))


def test_the_secret_is_not_stored_readable(user: Any) -> None:
    _, secret = totp_setup_begin(user=user)
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret_encrypted FROM mfa_totpdevice")
        (stored,) = cursor.fetchone()

    assert secret not in stored
    assert secret.lower() not in stored.lower()


def test_the_secret_still_opens_after_secret_key_rotation(user: Any, settings: Any) -> None:
    old_key = settings.SECRET_KEY
    secret, _ = enable_totp(user)
    settings.SECRET_KEY = "a-brand-new-secret-key-" + "k" * 40
    settings.SECRET_KEY_FALLBACKS = [old_key]

    check(user, totp_code_at(secret))  # no error: decrypted with the fallback

    settings.SECRET_KEY_FALLBACKS = []  # re-encrypted under the new key when it was used
    with time_machine.travel(datetime.now(tz=UTC) + timedelta(seconds=60), tick=False):
        check(user, totp_code_at(secret))


def test_the_qr_code_is_an_svg_data_uri_the_csp_allows(user: Any) -> None:
    uri = totp_uri(pyotp.random_base32(), account=user.email)
    image = totp_qr_data_uri(uri)

    assert uri.startswith("otpauth://totp/Pacetrack:")
    assert "issuer=Pacetrack" in uri
    assert image.startswith("data:image/svg+xml")


# --- Checking codes -----------------------------------------------------------------------


def test_a_code_is_accepted_once_and_refused_when_replayed_inside_its_window(user: Any) -> None:
    secret, _ = enable_totp(user, at=T0)
    with time_machine.travel(T0, tick=False):
        code = totp_code_at(secret)
        check(user, code)
        with pytest.raises(SecondFactorInvalid):
            check(user, code)
    # Still inside the code's ±1 step window, and still refused.
    with (
        time_machine.travel(T0 + timedelta(seconds=31), tick=False),
        pytest.raises(SecondFactorInvalid),
    ):
        check(user, code)
    # The next step's code is a new code.
    with time_machine.travel(T0 + timedelta(seconds=31), tick=False):
        check(user, totp_code_at(secret))


def test_an_earlier_code_is_refused_once_a_later_one_was_used(user: Any) -> None:
    secret, _ = enable_totp(user, at=T0)
    with time_machine.travel(T0, tick=False):
        earlier = totp_code_at(secret, at=at(-30))
        check(user, totp_code_at(secret))
        with pytest.raises(SecondFactorInvalid):
            check(user, earlier)


def test_the_code_typed_to_confirm_the_app_cannot_be_used_to_sign_in(user: Any) -> None:
    with time_machine.travel(T0, tick=False):
        _, secret = totp_setup_begin(user=user)
        code = totp_code_at(secret)
        totp_confirm(user=user, code=code)
        with pytest.raises(SecondFactorInvalid):
            check(user, code)


def test_a_code_from_another_persons_app_is_refused(user: Any, other_user: Any) -> None:
    enable_totp(user)
    others_secret, _ = enable_totp(other_user)

    with pytest.raises(SecondFactorInvalid):
        check(user, totp_code_at(others_secret))


def test_a_code_two_steps_away_is_refused(user: Any) -> None:
    secret, _ = enable_totp(user, at=T0)
    with time_machine.travel(T0, tick=False), pytest.raises(SecondFactorInvalid):
        check(user, totp_code_at(secret, at=at(60)))


def test_without_an_app_no_code_is_accepted(user: Any) -> None:
    _, secret = totp_setup_begin(user=user)  # set up but never confirmed

    with pytest.raises(SecondFactorInvalid):
        check(user, totp_code_at(secret))


# --- Changes are audited and emailed ---------------------------------------------------------


def test_turning_the_app_on_and_off_is_audited_and_emailed(
    user: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        enable_totp(user)
        totp_remove(user=user, acting_user=user)

    actions = list(
        AuditEvent.objects.filter(tenant__personal_owner=user, action__startswith="mfa.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["mfa.totp_enabled", "mfa.recovery_codes_generated", "mfa.totp_removed"]
    assert email_subjects(mailoutbox) == [
        "Security change to your account: authenticator app turned on",
        "Security change to your account: recovery codes generated",
        "Security change to your account: authenticator app removed",
    ]
    assert all(message.to == [user.email] for message in mailoutbox)


@pytest.mark.parametrize(
    ("language", "zone", "moment"),
    [
        ("ar", "Asia/Riyadh", "12 مارس 2026، 18:"),
        ("de", "Europe/Berlin", "12. März 2026, 16:"),
        ("en", "UTC", "12 March 2026, 15:"),
    ],
)
def test_the_email_says_when_in_the_readers_own_pattern(
    language: str,
    zone: str,
    moment: str,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """An Arabic email read "12 مارس 2026, 18:28": the English comma of a fixed pattern."""
    person = UserFactory(language=language, time_zone=zone)
    with (
        time_machine.travel(datetime(2026, 3, 12, 15, 30, tzinfo=UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        enable_totp(person)
    [turned_on, *_] = mailoutbox
    html = turned_on.alternatives[0][0]
    assert moment in turned_on.body and moment in html


def test_replacing_the_app_keeps_one_active_app_and_the_recovery_codes(user: Any) -> None:
    first_secret, codes = enable_totp(user)
    _, second_secret = totp_setup_begin(user=user)

    assert TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).count() == 1
    new_codes = totp_confirm(user=user, code=totp_code_at(second_secret))

    assert new_codes == []  # the saved codes still work
    assert TOTPDevice.objects.filter(user=user).count() == 1
    with time_machine.travel(datetime.now(tz=UTC) + timedelta(seconds=60), tick=False):
        with pytest.raises(SecondFactorInvalid):
            check(user, totp_code_at(first_secret))
        check(user, totp_code_at(second_secret))
