"""WebAuthn ceremonies with py_webauthn: the relying party, challenges, options.

Verification itself is py_webauthn's (`mfa/services_passkeys.py` calls it): origin,
RP ID hash, challenge, user presence and verification, signature and sign count.

Challenges are 32 random bytes, single-use and short-lived (CHALLENGE_AGE), and bound
to this browser: the cache holds the challenge under a random handle, and only a
signed, HttpOnly cookie on this browser names the handle. The record also says what
the ceremony is for (registration, passwordless sign-in, second factor,
re-authentication) and for whom (the signed-in session, or the pending sign-in), so
a challenge issued for one purpose or person cannot be used for another. Taking it
deletes it, atomically: of two requests with the same challenge only one can win.
While the cache (Redis) is unreachable no challenge can be issued or taken, so
passkey ceremonies fail closed.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext
from webauthn import generate_authentication_options, generate_registration_options
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url, options_to_json
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from sessions_app.devices import device_parts

if TYPE_CHECKING:
    from collections.abc import Iterable

    from accounts.models import User
    from mfa.models import Passkey

CHALLENGE_AGE = 300  # seconds
CHALLENGE_COOKIE = "pacetrack-webauthn"
SALT = "pacetrack.mfa.webauthn-challenge"
TIMEOUT_MS = 120_000  # how long the browser's own prompt stays up

# What a challenge is for.
REGISTER = "register"
SIGN_IN = "sign_in"  # passwordless: the passkey is the whole sign-in
SECOND_FACTOR = "second_factor"
REAUTH = "reauth"
PURPOSES = (REGISTER, SIGN_IN, SECOND_FACTOR, REAUTH)


def rp_id() -> str:
    """The relying party: SITE_URL's host unless MFA_WEBAUTHN_RP_ID says otherwise."""
    return settings.MFA_WEBAUTHN_RP_ID or (urlsplit(settings.SITE_URL).hostname or "")


def expected_origins() -> list[str]:
    return list(settings.MFA_WEBAUTHN_ORIGINS) or [settings.SITE_URL]


def passkey_default_name(*, user_agent: str) -> str:
    """What a passkey left unnamed is called: the system it was made on, which a person
    tells their passkeys apart by ("Passkey on iOS", "Passkey on Windows"); every one
    was "Passkey"."""
    system = device_parts(user_agent).system
    return gettext("Passkey on %(system)s") % {"system": system} if system else gettext("Passkey")


def user_handle(user: User) -> bytes:
    """A stable, opaque WebAuthn user id (never the email or the primary key itself)."""
    return salted_hmac("pacetrack.mfa.user-handle", str(user.pk), algorithm="sha256").digest()


def session_owner(request: HttpRequest) -> str:
    """The challenge owner for a signed-in session (registration, re-authentication)."""
    row = getattr(request.session, "row", None)
    return f"session:{row.pk}" if row is not None else "session:none"


def _cookie_name() -> str:
    return f"__Host-{CHALLENGE_COOKIE}" if settings.SESSION_COOKIE_SECURE else CHALLENGE_COOKIE


def _key(handle: str) -> str:
    return f"mfa:webauthn:{handle}"


def challenge_issue(response: HttpResponse, *, purpose: str, owner: str) -> bytes:
    """A new challenge for `purpose`, bound to this browser (a cookie on `response`) and
    to `owner` (who may answer it: a session, a pending sign-in, or "" for anyone)."""
    if purpose not in PURPOSES:
        raise ValueError(f"Unknown WebAuthn purpose {purpose!r}.")
    challenge = secrets.token_bytes(32)
    handle = secrets.token_urlsafe(24)
    cache.set(
        _key(handle),
        {"challenge": bytes_to_base64url(challenge), "purpose": purpose, "owner": owner},
        timeout=CHALLENGE_AGE,
    )
    response.set_cookie(
        _cookie_name(),
        signing.dumps(handle, salt=SALT),
        max_age=CHALLENGE_AGE,
        path="/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )
    return challenge


def challenge_take(request: HttpRequest, *, purpose: str, owner: str) -> bytes | None:
    """The challenge this browser was given for `purpose` and `owner`, used up by this
    call; None when there is none, it expired, was taken already, or was issued for
    another purpose or owner (which uses it up too)."""
    raw = request.COOKIES.get(_cookie_name())
    if not raw:
        return None
    try:
        handle = signing.loads(raw, salt=SALT, max_age=CHALLENGE_AGE)
    except signing.BadSignature:
        return None
    record = cache.get(_key(str(handle)))
    if not isinstance(record, dict) or not cache.delete(_key(str(handle))):
        return None  # unknown, expired, or another request took it first
    if record.get("purpose") != purpose or record.get("owner") != owner:
        return None
    return base64url_to_bytes(record["challenge"])


def _descriptors(passkeys: Iterable[Passkey]) -> list[PublicKeyCredentialDescriptor]:
    known = {t.value for t in AuthenticatorTransport}
    return [
        PublicKeyCredentialDescriptor(
            id=base64url_to_bytes(p.credential_id),
            transports=[AuthenticatorTransport(t) for t in p.transports if t in known],
        )
        for p in passkeys
    ]


def registration_options_json(*, user: User, challenge: bytes, existing: Iterable[Passkey]) -> str:
    """Options for navigator.credentials.create(): a discoverable credential (so it can
    sign in without an email) with user verification, none of `existing` again."""
    options = generate_registration_options(
        rp_id=rp_id(),
        rp_name=settings.MFA_TOTP_ISSUER,
        user_id=user_handle(user),
        user_name=user.email,
        user_display_name=user.get_full_name(),
        challenge=challenge,
        timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=_descriptors(existing),
    )
    return options_to_json(options)


def authentication_options_json(*, challenge: bytes, allowed: Iterable[Passkey] = ()) -> str:
    """Options for navigator.credentials.get(): any passkey of this site when `allowed`
    is empty (passwordless sign-in), else only those."""
    options = generate_authentication_options(
        rp_id=rp_id(),
        challenge=challenge,
        timeout=TIMEOUT_MS,
        allow_credentials=_descriptors(allowed),
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return options_to_json(options)


def credential_id_of(credential: dict[str, Any]) -> str:
    """The credential id a browser's response names (base64url), "" if none."""
    value = credential.get("id") if isinstance(credential, dict) else None
    return value if isinstance(value, str) else ""
