"""Readable rates: "5/15m" means five hits in any fifteen-minute window."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from django.core.exceptions import ImproperlyConfigured

_UNITS_MS = {"s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
_RATE_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")


@dataclass(frozen=True)
class Rate:
    limit: int
    window_ms: int
    text: str


@lru_cache(maxsize=64)
def parse_rate(text: str) -> Rate:
    """Parse "<count>/<n><unit>" (unit s, m, h or d; n defaults to 1)."""
    match = _RATE_RE.match(text or "")
    if not match:
        raise ImproperlyConfigured(
            f'Invalid rate {text!r}: write "<count>/<period>", e.g. "5/15m", "500/1h" or "10/d".'
        )
    count, amount, unit = int(match[1]), int(match[2] or 1), match[3]
    if count < 1 or amount < 1:
        raise ImproperlyConfigured(f"Invalid rate {text!r}: count and period must be at least 1.")
    return Rate(limit=count, window_ms=amount * _UNITS_MS[unit], text=text.strip())
