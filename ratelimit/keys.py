"""Counter key names.

Keys look like `<RATELIMIT_KEY_PREFIX>rl:{auth:203.0.113.7}`. The braces are a
Redis Cluster hash tag around the variable part, so every key of one identity
lands on one slot and a future multi-key script stays legal on a cluster. The
prefix keeps test workers (and several apps sharing one Redis) apart.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings

from core.security_log import email_hash

KEY_MARKER = "rl:"


def ip_identity(ip: str) -> str:
    """IPv4 as is; IPv6 by its /64, because one subscriber usually owns a whole /64."""
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return ip.strip() or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)


def account_identity(email: str) -> str:
    """SHA-256 of the lower-cased address: the raw email never sits in Redis (and the
    security log uses the same hash, so its lines match the counters)."""
    return email_hash(email)


def counter_key(tier: str, identity: str) -> str:
    """The full store key for one tier and identity."""
    return f"{settings.RATELIMIT_KEY_PREFIX}{KEY_MARKER}{{{tier}:{identity}}}"


def parse_key(text: str) -> tuple[str, str]:
    """Read an operator's KEY: `auth:1.2.3.4`, `rl:auth:1.2.3.4`, `rl:{auth:1.2.3.4}`,
    `auth-account:someone@example.com` (hashed for you) or `api:key:42` (an API key).

    Returns (tier, identity) with IPs normalised and emails hashed.
    """
    raw = text.strip()
    prefix = settings.RATELIMIT_KEY_PREFIX
    if prefix and raw.startswith(prefix):
        raw = raw[len(prefix) :]
    if raw.startswith(KEY_MARKER):
        raw = raw[len(KEY_MARKER) :]
    raw = raw.removeprefix("{").removesuffix("}")
    tier, sep, identity = raw.partition(":")
    if not sep or not tier or not identity:
        raise ValueError(
            f"{text!r} is not a rate-limit key: expected TIER:IDENTITY, e.g. auth:1.2.3.4"
        )
    if "@" in identity:
        identity = account_identity(identity)
    elif tier in ("auth", "serve") or _looks_like_ip(identity):
        identity = ip_identity(identity)
    return tier, identity


def _looks_like_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
