"""HTTP to an identity provider (OpenID Connect discovery, its keys, the token and
userinfo endpoints) without letting an issuer URL reach inside our network (SSRF).

An owner types the issuer; the discovery document it serves names the other endpoints.
So every request, and every redirect hop, goes through `PublicAddressAdapter`: the host
is resolved once (sso.dns, so SSO_DNS_NAMESERVERS applies), every address must be
public (webhooks.transport's rule, shared with the SAML metadata fetch), and the
connection goes to the checked address itself, the name only in the Host header and,
for https, in SNI and the certificate check: a DNS answer that changes after the check
(rebinding) changes nothing. Proxies from the environment are not used (they would
connect by name). SSO_ALLOW_HTTP_ISSUERS (local experiments and tests, whose providers
listen on loopback) lets private and loopback addresses through as well as http.
"""

from __future__ import annotations

from typing import Any, TypeVar, overload
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter

from core.dns import LookupFailed
from core.security_log import security_event
from sso.dns import host_addresses
from webhooks.transport import address_allowed


class AddressRefused(requests.exceptions.ConnectionError):
    """The host leads to a private or reserved address (or could not be resolved:
    `unresolved`). A requests error, so every caller's handling of an unreachable
    provider applies; `discover` tells the owner which it was."""

    def __init__(self, host: str, *, unresolved: bool = False) -> None:
        super().__init__(host)
        self.host = host
        self.unresolved = unresolved


class PublicAddressAdapter(HTTPAdapter):
    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        parts = urlsplit(request.url or "")
        host = (parts.hostname or "").rstrip(".")
        try:
            addresses = host_addresses(host)
        except LookupFailed:
            raise AddressRefused(host, unresolved=True) from None
        allow_private = settings.SSO_ALLOW_HTTP_ISSUERS
        refused = [a for a in addresses if not address_allowed(a, allow_private=allow_private)]
        if refused:
            security_event("sso.provider_address_refused", host=host, address=str(refused[0]))
            raise AddressRefused(host)
        request.pinned_address = str(addresses[0])  # type: ignore[attr-defined]
        # Set per hop: a redirect to another host must not keep the first one's name.
        request.headers["Host"] = parts.netloc.rsplit("@", 1)[-1]
        return super().send(request, *args, **kwargs)

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: Any, cert: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        name = host_params["host"]
        host_params["host"] = request.pinned_address  # type: ignore[attr-defined]
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = name
            pool_kwargs["assert_hostname"] = name
        return host_params, pool_kwargs


SessionT = TypeVar("SessionT", bound=requests.Session)


@overload
def provider_session() -> requests.Session: ...
@overload
def provider_session(session: SessionT) -> SessionT: ...
def provider_session(session: requests.Session | None = None) -> requests.Session:
    """`session` (a new one by default; Authlib's OAuth2Session is one) sending only
    through PublicAddressAdapter."""
    session = session if session is not None else requests.Session()
    session.trust_env = False
    adapter = PublicAddressAdapter(max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
