"""Secrets stored encrypted under keys derived from SECRET_KEY (Fernet). Each app
derives its own key (mfa, sso, webhooks: a salt or HKDF info of their own); what they
share is here: the current key first, then one per SECRET_KEY_FALLBACKS, and moving a
value onto the current key (`manage.py rotate_encrypted_secrets`)."""

from __future__ import annotations

from collections.abc import Callable

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def fernet_keys(derive: Callable[[str | bytes], Fernet]) -> MultiFernet:
    """Encrypts under SECRET_KEY's key; decrypts under it or any fallback's."""
    return MultiFernet(
        [derive(settings.SECRET_KEY), *(derive(key) for key in settings.SECRET_KEY_FALLBACKS)]
    )


def fernet_rotated(keys: MultiFernet, token: str) -> str:
    """`token` encrypted under the current key (unchanged content); ImproperlyConfigured
    when no configured key opens it."""
    try:
        return keys.rotate(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A stored secret cannot be decrypted with SECRET_KEY or SECRET_KEY_FALLBACKS: put "
            "the key it was encrypted under back in SECRET_KEY_FALLBACKS."
        ) from None
