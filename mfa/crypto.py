"""Encryption of TOTP secrets at rest (Fernet: AES-128-CBC with HMAC-SHA256).

The key is derived from SECRET_KEY, so a copy of the database alone cannot produce
codes. Secrets encrypted under a previous key in SECRET_KEY_FALLBACKS still decrypt,
and are re-encrypted under the current key the next time a code is accepted
(`secret_rotate`), and all of them by `manage.py rotate_encrypted_secrets`, after which
the old value may leave SECRET_KEY_FALLBACKS (the README's configuration table).
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.core.exceptions import ImproperlyConfigured
from django.utils.crypto import salted_hmac

from core.fernet_keys import fernet_keys, fernet_rotated

KEY_SALT = "pacetrack.mfa.totp-secret"


def _fernet(secret: str | bytes) -> Fernet:
    digest = salted_hmac(KEY_SALT, "fernet", secret=secret, algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _keys() -> MultiFernet:
    return fernet_keys(_fernet)


def secret_encrypt(secret: str) -> str:
    return _keys().encrypt(secret.encode()).decode()


def secret_decrypt(token: str) -> str:
    """The secret; ImproperlyConfigured when no configured key opens it (SECRET_KEY
    changed without its predecessor in SECRET_KEY_FALLBACKS)."""
    try:
        return _keys().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A TOTP secret cannot be decrypted: SECRET_KEY changed. Put the previous "
            "value in SECRET_KEY_FALLBACKS (see the README's configuration table)."
        ) from None


def secret_rotate(token: str) -> str:
    """`token` encrypted under the current key (unchanged content)."""
    return fernet_rotated(_keys(), token)
