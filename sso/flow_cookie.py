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
from django.utils.crypto import salted_hmac

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


@dataclass(frozen=True)
class SamlRequest:
    """The AuthnRequest this browser sent, and why. A re-authentication or a test also
    names who started it, a hash of their session (sso.saml_finish) and where to go on."""

    request_id: str
    purpose: str = "org"  # "org" (sign-in), "reauth" or "test"
    user_id: int | None = None
    session: str = ""
    next_url: str = ""


def saml_request_cookie_set(
    response: HttpResponse, *, connection_id: int, value: SamlRequest, max_age: int
) -> None:
    data = {
        "r": value.request_id,
        "c": connection_id,
        "p": value.purpose,
        "u": value.user_id,
        "k": value.session,
        "x": value.next_url,
    }
    response.set_cookie(
        saml_cookie_name(),
        signing.dumps(data, salt=SAML_SALT),
        max_age=max_age,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite=_saml_samesite(),
    )


def saml_request_cookie_load(
    request: HttpRequest, *, connection_id: int, max_age: int
) -> SamlRequest | None:
    """The AuthnRequest this browser sent to this connection's IdP (None when none,
    expired, tampered with or for another connection)."""
    data = signed_cookie_load(
        request,
        name=saml_cookie_name(),
        salt=SAML_SALT,
        max_age=max_age,
        tampered_event="sso.saml_cookie_tampered",
    )
    if not isinstance(data, dict) or data.get("c") != connection_id or not data.get("r"):
        return None
    return SamlRequest(
        request_id=str(data["r"]),
        purpose=str(data.get("p") or "org"),
        user_id=data.get("u"),
        session=str(data.get("k") or ""),
        next_url=str(data.get("x") or ""),
    )


def saml_request_cookie_clear(response: HttpResponse) -> None:
    response.delete_cookie(saml_cookie_name(), samesite=_saml_samesite())


# A re-authentication or a test ends on a same-site GET (sso.views_saml.saml_finish),
# where the SameSite=Lax session cookie is sent again. The ACS hands the verified
# outcome over in the cache; this cookie names it, so only the browser the ACS answered
# can collect it (and the outcome is bound to the session that started it, too).
# Lax is enough: it is set by the answer to the IdP's POST and read by the top-level GET
# that follows. Single use: the finish view clears it whatever it answers.

SAML_FINISH_COOKIE_NAME = "pacetrack-saml-finish"
SAML_FINISH_SALT = "pacetrack.sso.saml-finish"
# A sign-in started at the IdP waits for its confirmation page under a cookie of its own:
# sharing the finish cookie, an unsolicited Response replaced a re-authentication or test
# under way, and a link to the confirmation page cancelled them.
SAML_CONTINUE_COOKIE_NAME = "pacetrack-saml-continue"
SAML_CONTINUE_SALT = "pacetrack.sso.saml-continue"
_KINDS = {
    "finish": (SAML_FINISH_COOKIE_NAME, SAML_FINISH_SALT),
    "continue": (SAML_CONTINUE_COOKIE_NAME, SAML_CONTINUE_SALT),
}


def saml_finish_cookie_name(kind: str = "finish") -> str:
    prefix = "__Host-" if settings.SESSION_COOKIE_SECURE else ""
    return f"{prefix}{_KINDS[kind][0]}"


def saml_finish_cookie_set(
    response: HttpResponse, *, token: str, connection_id: int, max_age: int, kind: str = "finish"
) -> None:
    response.set_cookie(
        saml_finish_cookie_name(kind),
        signing.dumps({"t": token, "c": connection_id}, salt=_KINDS[kind][1]),
        max_age=max_age,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def saml_finish_cookie_load(
    request: HttpRequest, *, connection_id: int, max_age: int, kind: str = "finish"
) -> str:
    """The token of the outcome the ACS kept for this browser ("" when none)."""
    data = signed_cookie_load(
        request,
        name=saml_finish_cookie_name(kind),
        salt=_KINDS[kind][1],
        max_age=max_age,
        tampered_event=f"sso.saml_{kind}_cookie_tampered",
    )
    if not isinstance(data, dict) or data.get("c") != connection_id:
        return ""
    return str(data.get("t") or "")


def saml_finish_cookie_clear(response: HttpResponse, *, kind: str = "finish") -> None:
    response.delete_cookie(saml_finish_cookie_name(kind), samesite="Lax")


def session_binding(request: HttpRequest) -> str:
    """A keyed hash of this request's session key: what a SAML re-authentication or
    test is bound to at its start, without putting the session key in a cookie."""
    key = request.session.session_key or ""
    return salted_hmac("pacetrack.sso.saml-session", key).hexdigest() if key else ""
