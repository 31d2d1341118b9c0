"""Webhook signing secrets: generated, and encrypted at rest under a key from SECRET_KEY
(Fernet; earlier keys in SECRET_KEY_FALLBACKS still decrypt)."""

from __future__ import annotations

import base64
import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.crypto import salted_hmac

KEY_SALT = "pacetrack.webhooks.signing-secret"


def _fernet(key: str | bytes) -> Fernet:
    digest = salted_hmac(KEY_SALT, "fernet", secret=key, algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _keys() -> MultiFernet:
    return MultiFernet(
        [_fernet(settings.SECRET_KEY), *(_fernet(k) for k in settings.SECRET_KEY_FALLBACKS)]
    )


def secret_generate() -> str:
    """A Standard Webhooks secret: `whsec_` and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def secret_encrypt(secret: str) -> str:
    return _keys().encrypt(secret.encode()).decode()


def secret_decrypt(token: str) -> str:
    return _keys().decrypt(token.encode()).decode()


def secret_rotate(token: str) -> str:
    """`token` encrypted under the current SECRET_KEY (unchanged content); ImproperlyConfigured
    when no configured key opens it."""
    try:
        return _keys().rotate(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A stored secret cannot be decrypted with SECRET_KEY or SECRET_KEY_FALLBACKS: put "
            "the key it was encrypted under back in SECRET_KEY_FALLBACKS."
        ) from None
