"""Webhook signing secrets: generated, and encrypted at rest under a key from SECRET_KEY
(Fernet; earlier keys in SECRET_KEY_FALLBACKS still decrypt)."""

from __future__ import annotations

import base64
import secrets

from cryptography.fernet import Fernet, MultiFernet
from django.utils.crypto import salted_hmac

from core.fernet_keys import fernet_keys, fernet_rotated

KEY_SALT = "pacetrack.webhooks.signing-secret"


def _fernet(key: str | bytes) -> Fernet:
    digest = salted_hmac(KEY_SALT, "fernet", secret=key, algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _keys() -> MultiFernet:
    return fernet_keys(_fernet)


def secret_generate() -> str:
    """A Standard Webhooks secret: `whsec_` and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def secret_encrypt(secret: str) -> str:
    return _keys().encrypt(secret.encode()).decode()


def secret_decrypt(token: str) -> str:
    return _keys().decrypt(token.encode()).decode()


def secret_rotate(token: str) -> str:
    """`token` under the current SECRET_KEY (`rotate_encrypted_secrets`)."""
    return fernet_rotated(_keys(), token)
