"""The sign-in in flight, between leaving for the provider and coming back.

The person is usually not signed in, so there is no session to keep it in: like the
pending second step (mfa.pending) it lives in a short-lived cookie, signed with
SECRET_KEY and timestamped, HttpOnly, SameSite=Lax (the provider's redirect back is
a top-level GET, which Lax lets through) and `__Host-` prefixed where cookies are
Secure. It carries state, nonce and the PKCE verifier, so a callback reaching
another browser, or this one after FLOW_LIFETIME, has nothing to match.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

from core.signed_cookies import signed_cookie_load
from sso.protocol import FLOW_LIFETIME, Flow

COOKIE_NAME = "pacetrack-sso"
SALT = "pacetrack.sso.flow"


@dataclass(frozen=True)
class FlowCookie:
    flow: Flow
    purpose: str  # "social", "connect", "org" or "test"
    source: str  # the social provider's key, or the connection's id
    next_url: str = ""
    user_id: int | None = None  # who started a "connect" or "test"


def flow_cookie_name() -> str:
    return f"__Host-{COOKIE_NAME}" if settings.SESSION_COOKIE_SECURE else COOKIE_NAME


def flow_cookie_set(response: HttpResponse, value: FlowCookie) -> None:
    data = {
        "s": value.flow.state,
        "n": value.flow.nonce,
        "v": value.flow.code_verifier,
        "p": value.purpose,
        "o": value.source,
        "x": value.next_url,
        "u": value.user_id,
    }
    response.set_cookie(
        flow_cookie_name(),
        signing.dumps(data, salt=SALT, compress=True),
        max_age=FLOW_LIFETIME,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def flow_cookie_load(request: HttpRequest) -> FlowCookie | None:
    data = signed_cookie_load(
        request,
        name=flow_cookie_name(),
        salt=SALT,
        max_age=FLOW_LIFETIME,
        tampered_event="sso.flow_cookie_tampered",
    )
    if not isinstance(data, dict):
        return None
    return FlowCookie(
        flow=Flow(state=data["s"], nonce=data["n"], code_verifier=data["v"]),
        purpose=data["p"],
        source=data["o"],
        next_url=data.get("x") or "",
        user_id=data.get("u"),
    )


def flow_cookie_clear(response: HttpResponse) -> None:
    response.delete_cookie(flow_cookie_name(), samesite="Lax")


# --- SAML ------------------------------------------------------------------------------
# The SAML Response comes back as a cross-site POST from the IdP's page, which a
# SameSite=Lax cookie does not reach: where cookies are Secure this one is
# SameSite=None (and `__Host-`); over plain http (local development, tests) browsers
# refuse SameSite=None without Secure, so it is Lax there (same-site IdPs only). It
# binds the AuthnRequest to the browser that started it: a Response an attacker got
# for their own request, posted into someone else's browser, names a request id that
# browser never had (login CSRF). Single use: cleared by the ACS whatever it answers.

SAML_COOKIE_NAME = "pacetrack-saml"
SAML_SALT = "pacetrack.sso.saml-request"


def saml_cookie_name() -> str:
    return f"__Host-{SAML_COOKIE_NAME}" if settings.SESSION_COOKIE_SECURE else SAML_COOKIE_NAME


def _saml_samesite() -> Literal["None", "Lax"]:
    return "None" if settings.SESSION_COOKIE_SECURE else "Lax"


def saml_request_cookie_set(
    response: HttpResponse, *, request_id: str, connection_id: int, max_age: int
) -> None:
    response.set_cookie(
        saml_cookie_name(),
        signing.dumps({"r": request_id, "c": connection_id}, salt=SAML_SALT),
        max_age=max_age,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite=_saml_samesite(),
    )


def saml_request_cookie_load(request: HttpRequest, *, connection_id: int, max_age: int) -> str:
    """The id of the AuthnRequest this browser sent to this connection's IdP ("" when
    none, expired, tampered with or for another connection)."""
    data = signed_cookie_load(
        request,
        name=saml_cookie_name(),
        salt=SAML_SALT,
        max_age=max_age,
        tampered_event="sso.saml_cookie_tampered",
    )
    if not isinstance(data, dict) or data.get("c") != connection_id:
        return ""
    return str(data.get("r") or "")


def saml_request_cookie_clear(response: HttpResponse) -> None:
    response.delete_cookie(saml_cookie_name(), samesite=_saml_samesite())
