"""SCIM bearer tokens: 256 random bits, shown once, stored as SHA-256.

SHA-256 without a salt is enough for a random token (nothing to guess), and it lets
the token be found by an indexed lookup, as session tokens are (sessions_app/tokens.py).
"""

from __future__ import annotations

import hashlib
import secrets

PREFIX = "ptscim_"


def token_generate() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()
