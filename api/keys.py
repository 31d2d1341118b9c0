"""The key's format: `pt_live_<public id>_<secret>`, found by secret scanners by its prefix."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
from dataclasses import dataclass

PREFIX = "pt_live_"
_ALPHABET = string.ascii_letters + string.digits
_ID_LENGTH = 12
_SECRET_LENGTH = 32  # 32 characters of 62: about 190 bits


@dataclass(frozen=True)
class ParsedKey:
    public_id: str
    secret: str


def _random(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def key_generate() -> tuple[str, str, str]:
    """(the whole key to show once, its public id, the hash of its secret to store)."""
    public_id, secret = _random(_ID_LENGTH), _random(_SECRET_LENGTH)
    return f"{PREFIX}{public_id}_{secret}", public_id, secret_hash(secret)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def key_parse(raw: str) -> ParsedKey | None:
    """The parts of a well-formed key, else None (nothing is looked up for junk)."""
    if not raw.startswith(PREFIX):
        return None
    public_id, sep, secret = raw[len(PREFIX) :].partition("_")
    if not sep or len(public_id) != _ID_LENGTH or len(secret) != _SECRET_LENGTH:
        return None
    if not (public_id + secret).isalnum() or not (public_id + secret).isascii():
        return None
    return ParsedKey(public_id=public_id, secret=secret)


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(secret_hash(secret), stored_hash)
