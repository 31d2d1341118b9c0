"""Client secrets of SSO connections, encrypted at rest (Fernet).

The key is derived from SECRET_KEY with HKDF under a salt of its own, so a copy of
the database alone does not give an IdP's client secret away, and no other secret of
the project shares the key. Secrets encrypted under a key in SECRET_KEY_FALLBACKS
still decrypt after a rotation.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

INFO = b"pacetrack.sso.client-secret"


def _fernet(secret: str | bytes) -> Fernet:
    raw = secret.encode() if isinstance(secret, str) else secret
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(raw)
    return Fernet(base64.urlsafe_b64encode(key))


def _keys() -> MultiFernet:
    return MultiFernet(
        [_fernet(settings.SECRET_KEY), *(_fernet(k) for k in settings.SECRET_KEY_FALLBACKS)]
    )


def client_secret_encrypt(secret: str) -> str:
    return _keys().encrypt(secret.encode()).decode()


def client_secret_decrypt(token: str) -> str:
    try:
        return _keys().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "An SSO client secret cannot be decrypted: SECRET_KEY changed. Put the previous "
            "value in SECRET_KEY_FALLBACKS, or enter the secret again on the SSO page."
        ) from None


def client_secret_rotate(token: str) -> str:
    """`token` encrypted under the current SECRET_KEY (unchanged content); ImproperlyConfigured
    when no configured key opens it."""
    try:
        return _keys().rotate(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A stored secret cannot be decrypted with SECRET_KEY or SECRET_KEY_FALLBACKS: put "
            "the key it was encrypted under back in SECRET_KEY_FALLBACKS."
        ) from None
