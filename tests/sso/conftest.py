"""A real OpenID provider and a real DNS server on loopback, and the settings that
point the app at them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.sso.dns_server import LocalDNS
from tests.sso.idp import LocalIdP


@pytest.fixture
def idp() -> Iterator[LocalIdP]:
    server = LocalIdP().start()
    yield server
    server.stop()


@pytest.fixture
def dns_server(settings: Any) -> Iterator[LocalDNS]:
    server = LocalDNS()
    settings.SSO_DNS_NAMESERVERS = [server.address]
    yield server
    server.stop()


@pytest.fixture
def social(idp: LocalIdP, settings: Any) -> LocalIdP:
    """Google and Microsoft point at the local provider (as OIDC), GitHub at its
    GitHub look-alike endpoints; each with its own client."""
    idp.clients.update({"google-id": "google-secret", "ms-id": "ms-secret", "gh-id": "gh-secret"})
    settings.SSO_ALLOW_HTTP_ISSUERS = True
    settings.SSO_SOCIAL_PROVIDERS = {
        "google": {
            "client_id": "google-id",
            "client_secret": "google-secret",
            "issuer": idp.issuer,
        },
        "microsoft": {"client_id": "ms-id", "client_secret": "ms-secret", "issuer": idp.issuer},
        "github": {
            "client_id": "gh-id",
            "client_secret": "gh-secret",
            "authorize_url": f"{idp.issuer}/authorize",
            "token_url": f"{idp.issuer}/token",
            "api_url": idp.issuer,
        },
    }
    return idp
