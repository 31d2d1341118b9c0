"""Recovery codes: random, shown once, stored as SHA-256.

12 characters from a 31-letter alphabet without look-alikes (no 0/o, 1/l/i): about
59 bits each, far beyond guessing under the `mfa-account` rate limit, and beyond
brute-forcing a stolen hash. Typed codes are compared case-insensitively, with or
without the dashes.
"""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
LENGTH = 12
COUNT = 10


def recovery_code_new() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))


def recovery_code_normalize(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def recovery_code_hash(code: str) -> str:
    return hashlib.sha256(recovery_code_normalize(code).encode()).hexdigest()


def recovery_code_looks_valid(code: str) -> bool:
    normalized = recovery_code_normalize(code)
    return len(normalized) == LENGTH and all(ch in ALPHABET for ch in normalized)
