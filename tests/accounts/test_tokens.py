from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from accounts.exceptions import TokenExpired, TokenInvalid, TokenUsed
from accounts.models import EmailToken
from accounts.tokens import (
    email_token_check,
    email_token_issue,
    email_token_use,
    token_digest,
    token_generate,
    token_matches,
)

pytestmark = pytest.mark.django_db
RESET = (EmailToken.Purpose.PASSWORD_RESET,)
VERIFY = (EmailToken.Purpose.VERIFY_EMAIL,)


def test_tokens_are_random_and_only_their_digest_is_stored(user):
    raw = email_token_issue(user=user, purpose=EmailToken.Purpose.VERIFY_EMAIL, email=user.email)
    row = EmailToken.objects.get()
    assert len(raw) >= 43
    assert row.token_hash == token_digest(raw) != raw
    assert raw not in str(EmailToken.objects.values().get())
    assert token_generate()[0] != token_generate()[0]


def test_token_matches_compares_digests():
    raw, digest = token_generate()
    assert token_matches(raw, digest)
    assert not token_matches(raw + "x", digest)


def test_a_token_only_works_for_its_purpose(user):
    raw = email_token_issue(user=user, purpose=EmailToken.Purpose.VERIFY_EMAIL, email=user.email)
    with pytest.raises(TokenInvalid):
        email_token_check(raw=raw, purposes=RESET)
    assert email_token_check(raw=raw, purposes=VERIFY).user == user


@pytest.mark.parametrize("raw", ["", "nope", "x" * 500])
def test_unknown_or_malformed_tokens_are_invalid(raw):
    with pytest.raises(TokenInvalid):
        email_token_check(raw=raw, purposes=VERIFY)


def test_verification_tokens_last_48_hours(user):
    raw = email_token_issue(user=user, purpose=EmailToken.Purpose.VERIFY_EMAIL, email=user.email)
    with time_machine.travel(timezone.now() + timedelta(hours=47, minutes=59)):
        email_token_check(raw=raw, purposes=VERIFY)
    later = timezone.now() + timedelta(hours=48, seconds=1)
    with time_machine.travel(later), pytest.raises(TokenExpired):
        email_token_check(raw=raw, purposes=VERIFY)


def test_reset_tokens_last_one_hour(user):
    raw = email_token_issue(user=user, purpose=EmailToken.Purpose.PASSWORD_RESET)
    with time_machine.travel(timezone.now() + timedelta(minutes=59)):
        email_token_check(raw=raw, purposes=RESET)
    later = timezone.now() + timedelta(minutes=61)
    with time_machine.travel(later), pytest.raises(TokenExpired):
        email_token_check(raw=raw, purposes=RESET)


def test_a_used_token_cannot_be_used_again(user):
    raw = email_token_issue(user=user, purpose=EmailToken.Purpose.VERIFY_EMAIL, email=user.email)
    with transaction.atomic():
        email_token_use(token=email_token_check(raw=raw, purposes=VERIFY, lock=True))
    with pytest.raises(TokenUsed):
        email_token_check(raw=raw, purposes=VERIFY)


def test_any_password_change_invalidates_reset_tokens(user):
    raw = email_token_issue(user=user, purpose=EmailToken.Purpose.PASSWORD_RESET)
    user.set_password("another-long-password-42")
    user.save()
    with pytest.raises(TokenExpired, match="password was changed"):
        email_token_check(raw=raw, purposes=RESET)


def test_tokens_of_inactive_users_are_invalid(user):
    raw = email_token_issue(user=user, purpose=EmailToken.Purpose.PASSWORD_RESET)
    user.is_active = False
    user.save()
    with pytest.raises(TokenInvalid):
        email_token_check(raw=raw, purposes=RESET)
