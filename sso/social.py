"""Google, Microsoft (OpenID Connect) and GitHub (OAuth 2): who a provider says the
person is. Each is on when SSO_SOCIAL_PROVIDERS has its client id and secret.

What counts as a verified email is decided here, per provider, because linking to
an existing account trusts it: Google's `email_verified`; Microsoft only with
`email_verified` or `xms_edov` (the email's domain is verified by its Entra tenant;
a bare `email` claim there is whatever the account typed); GitHub's /user/emails
entry marked primary and verified.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from sso.exceptions import SignInRefused
from sso.models import SocialIdentity
from sso.protocol import (
    Endpoints,
    Flow,
    authorization_start,
    code_exchange,
    discover,
    id_token_validate,
    userinfo,
)

Provider = SocialIdentity.Provider
SCOPES = {
    Provider.GOOGLE: "openid email profile",
    Provider.MICROSOFT: "openid email profile",
    Provider.GITHUB: "read:user user:email",
}


@dataclass(frozen=True)
class ProviderIdentity:
    """Who the provider vouched for, in the terms our policy reads."""

    provider: str
    subject: str
    email: str
    email_verified: bool
    name: str
    claims: dict[str, Any]


def _config(provider: str) -> dict[str, str]:
    return dict(settings.SSO_SOCIAL_PROVIDERS.get(provider) or {})


def social_providers_enabled() -> list[Provider]:
    """The providers with a client id and secret, in the order the buttons show."""
    return [
        p
        for p in Provider
        if _config(p.value).get("client_id") and _config(p.value).get("client_secret")
    ]


def social_provider_get(key: str) -> Provider | None:
    return next((p for p in social_providers_enabled() if p.value == key), None)


def _endpoints(provider: str) -> Endpoints:
    config = _config(provider)
    if provider == Provider.GITHUB:
        return Endpoints(authorize_url=config["authorize_url"], token_url=config["token_url"])
    return discover(config["issuer"])


def social_authorization_start(*, provider: str, redirect_uri: str) -> tuple[str, Flow]:
    config = _config(provider)
    return authorization_start(
        endpoints=_endpoints(provider),
        client_id=config["client_id"],
        redirect_uri=redirect_uri,
        scope=SCOPES[Provider(provider)],
    )


def social_identity_fetch(
    *, provider: str, code: str, flow: Flow, redirect_uri: str
) -> ProviderIdentity:
    """Exchange the code and read who signed in (ID token, or GitHub's API)."""
    config, endpoints = _config(provider), _endpoints(provider)
    token = code_exchange(
        endpoints=endpoints,
        client_id=config["client_id"],
        client_secret=config["client_secret"],
        redirect_uri=redirect_uri,
        code=code,
        flow=flow,
    )
    if provider == Provider.GITHUB:
        return _github_identity(config, access_token=str(token.get("access_token", "")))
    if not token.get("id_token"):
        raise SignInRefused(_("The provider sent no ID token."))
    claims = id_token_validate(
        endpoints=endpoints,
        client_id=config["client_id"],
        id_token=token["id_token"],
        nonce=flow.nonce,
        any_tenant=provider == Provider.MICROSOFT,
    )
    verified = claims.get("email_verified") is True
    if provider == Provider.MICROSOFT:
        verified = verified or claims.get("xms_edov") is True
    return ProviderIdentity(
        provider=provider,
        subject=str(claims["sub"]),
        email=str(claims.get("email") or "").strip().lower(),
        email_verified=verified,
        name=str(claims.get("name") or ""),
        claims=claims,
    )


def _github_identity(config: dict[str, str], *, access_token: str) -> ProviderIdentity:
    api = config["api_url"].rstrip("/")
    headers = {"Accept": "application/vnd.github+json"}
    user = userinfo(f"{api}/user", access_token=access_token, **headers)
    emails = userinfo(f"{api}/user/emails", access_token=access_token, **headers)
    if not isinstance(user, dict) or not user.get("id") or not isinstance(emails, list):
        raise SignInRefused(_("GitHub did not say who you are. Try again."))
    primary = next((e for e in emails if isinstance(e, dict) and e.get("primary")), {})
    return ProviderIdentity(
        provider=Provider.GITHUB,
        subject=str(user["id"]),
        email=str(primary.get("email") or "").strip().lower(),
        email_verified=primary.get("verified") is True,
        name=str(user.get("name") or user.get("login") or ""),
        claims={"user": user, "emails": emails},
    )
