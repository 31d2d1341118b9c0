"""The known-device cookie (OWASP's "device cookies" against account lockout).

A successful sign-in gives the browser a signed, long-lived, HttpOnly cookie with a
random device id and the accounts it has signed in to (by a prefix of their email
hash). A sign-in attempt that carries the cookie for the account being tried is
counted against the device (tier `auth-device`) instead of the account
(`auth-account`). So failing on purpose with a victim's email pauses sign-in to that
account from new devices only; the victim's own browsers keep working. A stolen
cookie buys an attacker one device's budget, on top of the per-IP tier.

The cookie proves nothing about identity: the password is still checked.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

from core.signed_cookies import signed_cookie_load
from ratelimit.keys import account_identity

COOKIE_NAME = "pacetrack-device"
SALT = "pacetrack.ratelimit.known-device"
MAX_ACCOUNTS = 10  # a shared family computer, a support agent's test accounts
ACCOUNT_CHARS = 32  # 128 bits of the email hash: enough to tell accounts apart


def device_cookie_name() -> str:
    """`__Host-` prefixed wherever cookies are Secure: no subdomain can set or shadow it."""
    return f"__Host-{COOKIE_NAME}" if settings.SESSION_COOKIE_SECURE else COOKIE_NAME


def _account(email: str) -> str:
    return account_identity(email)[:ACCOUNT_CHARS]


def _read(request: HttpRequest) -> dict[str, Any] | None:
    data = signed_cookie_load(
        request,
        name=device_cookie_name(),
        salt=SALT,
        max_age=settings.RATELIMIT_DEVICE_COOKIE_AGE,
        tampered_event="device_cookie.tampered",
    )
    if not isinstance(data, dict) or not isinstance(data.get("d"), str):
        return None
    accounts = data.get("a")
    return {"d": data["d"], "a": [a for a in accounts if isinstance(a, str)]} if accounts else None


def known_device_id(request: HttpRequest, *, email: str) -> str | None:
    """This browser's device id if it has signed in to the account of `email` before."""
    data = _read(request)
    if data is None or _account(email) not in data["a"]:
        return None
    return data["d"]


def device_cookie_set(request: HttpRequest, response: HttpResponse, *, email: str) -> None:
    """Remember on this browser that it signed in to the account of `email`."""
    data = _read(request) or {"d": secrets.token_urlsafe(16), "a": []}
    account = _account(email)
    accounts = [a for a in data["a"] if a != account][-(MAX_ACCOUNTS - 1) :] + [account]
    value = signing.dumps({"d": data["d"], "a": accounts}, salt=SALT, compress=True)
    response.set_cookie(
        device_cookie_name(),
        value,
        max_age=settings.RATELIMIT_DEVICE_COOKIE_AGE,
        path="/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
