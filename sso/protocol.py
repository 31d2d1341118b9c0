"""The OAuth 2 / OpenID Connect client side, on Authlib and joserfc: discovery, the
authorization URL (state, nonce, PKCE S256), the code exchange and the ID token's
validation against the provider's JWKS. Flows and policy live in the services; this
module only speaks the protocol and raises `SignInRefused` with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from core.security_log import security_event
from sso.exceptions import IssuerRefused, SignInRefused
from sso.transport import AddressRefused, provider_session

DISCOVERY_TTL = 3600
FLOW_LIFETIME = 600  # seconds between leaving for the provider and coming back
LEEWAY = 60  # clock skew allowed on exp/iat


@dataclass(frozen=True)
class Endpoints:
    authorize_url: str
    token_url: str
    issuer: str = ""  # "" for plain OAuth 2 (GitHub)
    jwks_uri: str = ""
    userinfo_url: str = ""


@dataclass(frozen=True)
class Flow:
    """What the browser carries (signed) between the two legs of a sign-in."""

    state: str
    nonce: str
    code_verifier: str


def issuer_check(issuer: str) -> str:
    """The issuer URL without its trailing slash, refused unless https (or http while
    SSO_ALLOW_HTTP_ISSUERS is on: tests and local development)."""
    parts = urlsplit(issuer.strip())
    allowed = {"https", "http"} if settings.SSO_ALLOW_HTTP_ISSUERS else {"https"}
    if parts.scheme not in allowed or not parts.hostname or parts.query or parts.fragment:
        raise IssuerRefused(_("The issuer must be an https:// URL, such as https://acme.okta.com."))
    return issuer.strip().rstrip("/")


def _get_json(url: str, **kwargs: Any) -> Any:
    with provider_session() as session:
        response = session.get(url, timeout=settings.SSO_HTTP_TIMEOUT, **kwargs)
    response.raise_for_status()
    return response.json()


def discover(issuer: str) -> Endpoints:
    """The provider's endpoints from its discovery document (cached for an hour)."""
    issuer = issuer_check(issuer)
    key = f"sso:discovery:{issuer}"
    document = cache.get(key)
    if document is None:
        try:
            document = _get_json(f"{issuer}/.well-known/openid-configuration")
        except AddressRefused as refused:
            reason = (
                _("%(host)s could not be resolved. Check the issuer URL.")
                if refused.unresolved
                else _(
                    "%(host)s leads to a private or reserved address; the issuer must be "
                    "on the internet."
                )
            )
            raise IssuerRefused(reason % {"host": refused.host}) from None
        except (requests.RequestException, ValueError) as error:
            security_event("sso.discovery_failed", issuer=issuer, error=type(error).__name__)
            raise IssuerRefused(
                _(
                    "Could not read %(issuer)s/.well-known/openid-configuration. "
                    "Check the issuer URL."
                )
                % {"issuer": issuer}
            ) from None
        if not isinstance(document, dict) or not all(
            document.get(k)
            for k in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
        ):
            raise IssuerRefused(_("The issuer's discovery document is incomplete."))
        cache.set(key, document, DISCOVERY_TTL)
    return Endpoints(
        authorize_url=document["authorization_endpoint"],
        token_url=document["token_endpoint"],
        issuer=document["issuer"],
        jwks_uri=document["jwks_uri"],
        userinfo_url=document.get("userinfo_endpoint", ""),
    )


def authorization_start(
    *, endpoints: Endpoints, client_id: str, redirect_uri: str, scope: str
) -> tuple[str, Flow]:
    """The URL to send the browser to, and the flow to remember until it comes back."""
    flow = Flow(
        state=generate_token(32), nonce=generate_token(32), code_verifier=generate_token(64)
    )
    session = OAuth2Session(
        client_id, redirect_uri=redirect_uri, scope=scope, code_challenge_method="S256"
    )
    extra = {"nonce": flow.nonce} if endpoints.issuer else {}
    url, _ = session.create_authorization_url(
        endpoints.authorize_url, state=flow.state, code_verifier=flow.code_verifier, **extra
    )
    return url, flow


def callback_check(*, flow: Flow | None, params: dict[str, str]) -> str:
    """The authorization code, once `state` matches this browser's flow (and was never
    used before). A missing flow is an expired or foreign one."""
    if flow is None:
        raise SignInRefused(_("This sign-in expired or was started in another browser. Try again."))
    if not params.get("state") or params["state"] != flow.state:
        security_event("sso.state_mismatch")
        raise SignInRefused(_("This sign-in could not be verified (state mismatch). Try again."))
    if params.get("error"):
        raise SignInRefused(_("The sign-in was cancelled or refused by the provider."))
    if not cache.add(f"sso:state:{flow.state}", 1, FLOW_LIFETIME + LEEWAY):
        security_event("sso.state_replayed")
        raise SignInRefused(_("This sign-in was already used. Start again."))
    code = params.get("code", "")
    if not code:
        raise SignInRefused(_("The provider sent no authorization code."))
    return code


def code_exchange(
    *,
    endpoints: Endpoints,
    client_id: str,
    client_secret: str,
    redirect_uri: str,
    code: str,
    flow: Flow,
) -> dict[str, Any]:
    """The token response for `code`, sent with the PKCE verifier."""
    session = provider_session(OAuth2Session(client_id, client_secret, redirect_uri=redirect_uri))
    try:
        token = session.fetch_token(
            endpoints.token_url,
            code=code,
            code_verifier=flow.code_verifier,
            timeout=settings.SSO_HTTP_TIMEOUT,
            headers={"Accept": "application/json"},
        )
    except (OAuthError, requests.RequestException, ValueError) as error:
        security_event("sso.code_exchange_failed", error=str(error)[:200])
        raise SignInRefused(_("The provider did not accept the sign-in. Try again.")) from None
    return dict(token)


def id_token_validate(
    *, endpoints: Endpoints, client_id: str, id_token: str, nonce: str, any_tenant: bool = False
) -> dict[str, Any]:
    """The ID token's claims once its signature (the provider's JWKS), issuer, audience,
    expiry and nonce are right; the nonce is accepted once only. `any_tenant` only for
    "Sign in with Microsoft": Entra's multi-tenant issuer names the token's own tenant
    (`tid`), so it accepts every tenant's people; an organisation's connection never
    does (an admin of any Entra tenant could assert an address on its domains)."""
    try:
        keys = KeySet.import_key_set(_get_json(endpoints.jwks_uri))
        token = jwt.decode(id_token, keys, algorithms=["RS256", "ES256", "PS256"])
    except (JoseError, ValueError, requests.RequestException) as error:
        security_event("sso.id_token_unverified", error=str(error)[:200])
        raise SignInRefused(_("The provider's ID token could not be verified.")) from None
    claims = dict(token.claims)
    issuer = endpoints.issuer
    if any_tenant:  # Entra ID's multi-tenant discovery names the issuer with {tenantid}
        issuer = issuer.replace("{tenantid}", str(claims.get("tid", "")))
    registry = jwt.JWTClaimsRegistry(
        leeway=LEEWAY,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id},
        sub={"essential": True},
        exp={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except JoseError as error:
        security_event("sso.id_token_refused", error=str(error)[:200])
        raise SignInRefused(_("The provider's ID token was not issued for this sign-in.")) from None
    if not cache.add(f"sso:nonce:{nonce}", 1, FLOW_LIFETIME + LEEWAY):
        security_event("sso.nonce_replayed")
        raise SignInRefused(_("This sign-in was already used. Start again."))
    return claims


def userinfo(url: str, *, access_token: str, **headers: str) -> Any:
    """A JSON resource read with the access token (OIDC userinfo, GitHub's API)."""
    try:
        return _get_json(url, headers={"Authorization": f"Bearer {access_token}", **headers})
    except (requests.RequestException, ValueError) as error:
        security_event("sso.userinfo_failed", error=type(error).__name__)
        raise SignInRefused(_("The provider did not say who you are. Try again.")) from None
