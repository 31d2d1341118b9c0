"""TOTP (RFC 6238) with pyotp: 30-second steps, 6 digits, SHA-1 (what every
authenticator app supports), one step of clock drift either way.

Only `totp_match_step` decides whether a code is right; replay protection (a step
used once is never accepted again) is the caller's, `mfa.services`, which records
the step under a row lock.
"""

from __future__ import annotations

import re
import time

import pyotp
import segno
from django.conf import settings
from django.utils.crypto import constant_time_compare

DIGITS = 6
INTERVAL = 30
DRIFT_STEPS = 1  # codes from the previous and the next step are accepted too
_CODE = re.compile(r"^\d{6}$")


def totp_secret_new() -> str:
    """160 random bits in base32, as RFC 4226 recommends."""
    return pyotp.random_base32(length=32)


def totp_code_normalize(code: str) -> str:
    """What people type, without the spaces and dashes apps show ("123 456")."""
    return re.sub(r"[\s-]", "", code or "")


def totp_looks_valid(code: str) -> bool:
    return bool(_CODE.match(totp_code_normalize(code)))


def totp_match_step(secret: str, code: str, *, at: float | None = None) -> int | None:
    """The time step whose code `code` is (now, one before or one after), else None."""
    code = totp_code_normalize(code)
    if not _CODE.match(code):
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)
    now_step = int((time.time() if at is None else at) // INTERVAL)
    for step in (now_step, now_step - DRIFT_STEPS, now_step + DRIFT_STEPS):
        if constant_time_compare(totp.generate_otp(step), code):
            return step
    return None


def totp_code_at(secret: str, *, at: float | None = None) -> str:
    """The code for a moment (tests and the browser tests compute what a phone would)."""
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)
    return totp.generate_otp(int((time.time() if at is None else at) // INTERVAL))


def totp_uri(secret: str, *, account: str) -> str:
    """The otpauth:// URI an app scans: issuer and account name label the entry."""
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)
    return totp.provisioning_uri(name=account, issuer_name=settings.MFA_TOTP_ISSUER)


def totp_qr_data_uri(uri: str) -> str:
    """The QR code of `uri` as an SVG data: URI, which the CSP's img-src allows (no
    inline markup, so no inline style either). Dark on white even in dark mode."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#0f172a", light="#fff")


def totp_secret_display(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
