"""Session tokens: random, signed for the cookie, hashed for the database."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core import signing

SALT = "pacetrack.sessions.token"


def _signer() -> signing.Signer:
    # SESSION_SECRET, not SECRET_KEY: either can be rotated without the other. Cookies
    # signed with a previous secret (SESSION_SECRET_FALLBACKS) still verify.
    return signing.Signer(
        key=settings.SESSION_SECRET, fallback_keys=settings.SESSION_SECRET_FALLBACKS, salt=SALT
    )


def token_new() -> str:
    """20 random bytes, URL-safe: what the client holds (inside the signed cookie)."""
    return secrets.token_urlsafe(20)


def token_sign(token: str) -> str:
    return _signer().sign(token)


def token_unsign(value: str | None) -> str | None:
    """The token inside a cookie value, or None when the signature does not verify.

    Costs no database query: forged cookies are turned away here.
    """
    if not value:
        return None
    try:
        return _signer().unsign(value)
    except signing.BadSignature:
        return None


def token_hash(token: str) -> str:
    """What the database stores and indexes."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_needs_resigning(value: str, token: str) -> bool:
    """True when `value` (a verified cookie) was signed with a fallback secret.

    Signing is deterministic, so a value that differs from the current signature
    of its own token came from an old SESSION_SECRET.
    """
    return bool(settings.SESSION_SECRET_FALLBACKS) and value != token_sign(token)
