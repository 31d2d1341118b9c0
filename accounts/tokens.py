"""Random single-use tokens for emailed links, stored only as a SHA-256 digest.

The helpers at the top (`token_generate`, `token_digest`, `token_matches`) are
shared by every emailed link, invitations included; the functions below issue and
consume `EmailToken` rows (verification, email change, password reset).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from accounts.exceptions import TokenExpired, TokenInvalid, TokenUsed
from accounts.models import EmailToken, User

TOKEN_BYTES = 32  # 256 bits: guessing is hopeless, so no lookup rate limit is needed

LIFETIMES = {
    EmailToken.Purpose.VERIFY_EMAIL: timedelta(hours=48),
    EmailToken.Purpose.EMAIL_CHANGE: timedelta(hours=48),
    EmailToken.Purpose.PASSWORD_RESET: timedelta(hours=1),
}


def token_generate() -> tuple[str, str]:
    """A fresh URL-safe token and the digest to store for it."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    return raw, token_digest(raw)


def token_digest(raw: str) -> str:
    """Hex SHA-256 of a token: what the database keeps."""
    return hashlib.sha256(raw.encode()).hexdigest()


def token_matches(raw: str, digest: str) -> bool:
    """Constant-time comparison of a presented token with a stored digest."""
    return hmac.compare_digest(token_digest(raw), digest)


def password_fingerprint(user: User) -> str:
    """Changes whenever the password (hash) changes; binds reset links to it."""
    return salted_hmac("accounts.tokens.password", user.password, algorithm="sha256").hexdigest()


def email_token_issue(*, user: User, purpose: str, email: str = "") -> str:
    """Store a new token for `user` and return the raw value for the link."""
    raw, digest = token_generate()
    now = timezone.now()
    EmailToken.objects.create(
        user=user,
        purpose=purpose,
        token_hash=digest,
        email=email,
        password_fingerprint=(
            password_fingerprint(user) if purpose == EmailToken.Purpose.PASSWORD_RESET else ""
        ),
        created_at=now,
        expires_at=now + LIFETIMES[EmailToken.Purpose(purpose)],
    )
    return raw


def email_token_check(*, raw: str, purposes: tuple[str, ...], lock: bool = False) -> EmailToken:
    """The usable token for `raw`, or TokenInvalid / TokenExpired / TokenUsed.

    With `lock`, the row is locked until the transaction ends so two clicks
    cannot both use it."""
    if not raw or len(raw) > 100:
        raise TokenInvalid
    digest = token_digest(raw)
    rows = EmailToken.objects.select_related("user")
    if lock:
        rows = rows.select_for_update(of=("self",))
    try:
        token = rows.get(token_hash=digest, purpose__in=purposes)
    except EmailToken.DoesNotExist:
        raise TokenInvalid from None
    if not hmac.compare_digest(token.token_hash, digest) or not token.user.is_active:
        raise TokenInvalid
    if token.used_at is not None:
        raise TokenUsed
    if token.is_expired():
        raise TokenExpired
    if token.purpose == EmailToken.Purpose.PASSWORD_RESET and not hmac.compare_digest(
        token.password_fingerprint, password_fingerprint(token.user)
    ):
        # The password changed since this link was sent.
        raise TokenExpired(
            _("This link is no longer valid because your password was changed after it was sent.")
        )
    return token


def email_token_use(*, token: EmailToken) -> None:
    """Mark a checked token as used (call inside the transaction that acts on it)."""
    assert transaction.get_connection().in_atomic_block, "use tokens inside a transaction"
    token.used_at = timezone.now()
    token.save(update_fields=["used_at"])


def email_tokens_revoke(*, user: User, purposes: tuple[str, ...]) -> int:
    """Retire every unused token of these purposes (e.g. after the email changed)."""
    return EmailToken.objects.filter(user=user, purpose__in=purposes, used_at__isnull=True).update(
        used_at=timezone.now()
    )
