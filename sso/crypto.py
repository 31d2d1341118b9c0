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
from django.core.exceptions import ImproperlyConfigured

from core.fernet_keys import fernet_keys, fernet_rotated

INFO = b"pacetrack.sso.client-secret"


def _fernet(secret: str | bytes) -> Fernet:
    raw = secret.encode() if isinstance(secret, str) else secret
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(raw)
    return Fernet(base64.urlsafe_b64encode(key))


def _keys() -> MultiFernet:
    return fernet_keys(_fernet)


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
    """`token` under the current SECRET_KEY (`rotate_encrypted_secrets`)."""
    return fernet_rotated(_keys(), token)
