"""Recovery codes: ten, single use, stored hashed, replaced as a set, and their use emailed."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from core.models import AuditEvent
from mfa.exceptions import SecondFactorInvalid, TwoFactorStateError
from mfa.models import RecoveryCode
from mfa.recovery import recovery_code_looks_valid
from mfa.selectors import two_factor_status
from mfa.services import recovery_codes_generate, second_factor_check, totp_remove
from sessions_app.authentication import Factor
from tests.mfa.helpers import email_subjects, enable_totp

pytestmark = pytest.mark.django_db


def use(user: Any, code: str) -> None:
    second_factor_check(user=user, factor=Factor.RECOVERY_CODE, code=code)


def test_turning_on_two_factor_gives_ten_distinct_codes_stored_only_as_hashes(user: Any) -> None:
    _, codes = enable_totp(user)

    assert len(set(codes)) == 10
    assert all(recovery_code_looks_valid(code) for code in codes)
    with connection.cursor() as cursor:
        cursor.execute("SELECT code_hash FROM mfa_recoverycode")
        stored = " ".join(row[0] for row in cursor.fetchall())
    assert not any(code in stored or code.replace("-", "") in stored for code in codes)


def test_a_code_works_once_and_is_read_without_dashes_or_case(
    user: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    _, codes = enable_totp(user)

    with django_capture_on_commit_callbacks(execute=True):
        use(user, codes[0].upper().replace("-", " "))
    with pytest.raises(SecondFactorInvalid):
        use(user, codes[0])

    assert two_factor_status(user=user).recovery_codes_left == 9
    assert email_subjects(mailoutbox) == ["Security change to your account: recovery code used"]
    assert "You have 9 recovery codes left." in mailoutbox[0].body
    assert AuditEvent.objects.filter(action="mfa.recovery_code_used").count() == 1


def test_new_codes_replace_the_old_ones(
    user: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    _, old = enable_totp(user)

    with django_capture_on_commit_callbacks(execute=True):
        new = recovery_codes_generate(user=user)

    assert not set(new) & set(old)
    with pytest.raises(SecondFactorInvalid):
        use(user, old[1])
    use(user, new[1])
    assert RecoveryCode.objects.filter(user=user).count() == 10
    assert email_subjects(mailoutbox)[0] == (
        "Security change to your account: recovery codes generated"
    )


def test_another_persons_code_is_refused(user: Any, other_user: Any) -> None:
    enable_totp(user)
    _, others = enable_totp(other_user)

    with pytest.raises(SecondFactorInvalid):
        use(user, others[0])


def test_there_are_no_codes_without_an_app_to_back_up(user: Any) -> None:
    with pytest.raises(TwoFactorStateError):
        recovery_codes_generate(user=user)

    _, codes = enable_totp(user)
    totp_remove(user=user, acting_user=user)

    assert not RecoveryCode.objects.filter(user=user).exists()
    with pytest.raises(SecondFactorInvalid):
        use(user, codes[0])
