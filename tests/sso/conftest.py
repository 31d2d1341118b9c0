"""A real OpenID provider and a real DNS server on loopback, and the settings that
point the app at them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.sso.dns_server import LocalDNS
from tests.sso.idp import LocalIdP
from tests.sso.saml_idp import LocalSamlIdP


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


@pytest.fixture
def acme_sso(acme: Any, owner: Any, idp: LocalIdP, dns_server: LocalDNS, settings: Any) -> Any:
    """Acme has verified example.com (the domain of every factory address) through the
    DNS server and connected the local provider as its IdP."""
    from sso.services_connections import connection_save
    from sso.services_domains import domain_add, domain_verify
    from tenants.models import Role

    settings.SSO_ALLOW_HTTP_ISSUERS = True
    domain = domain_add(tenant=acme, domain="example.com", acting_user=owner)
    dns_server.publish(domain.record_name, domain.token)
    domain_verify(tenant=acme, domain=domain, acting_user=owner)
    return connection_save(
        tenant=acme,
        acting_user=owner,
        issuer=idp.issuer,
        client_id="client-1",
        client_secret="secret-1",
        scopes="openid email profile",
        default_role=Role.objects.get(tenant=acme, key="member"),
        require_sso=False,
        auto_join=False,
    )


@pytest.fixture
def saml_idp() -> LocalSamlIdP:
    return LocalSamlIdP()


@pytest.fixture
def acme_saml(
    acme: Any, owner: Any, dns_server: LocalDNS, saml_idp: LocalSamlIdP, live_server: Any
) -> Any:
    """Acme verified example.com and connected the local SAML IdP; the IdP has read
    Acme's SP metadata from the live server."""
    from sso.services_saml import saml_connection_save
    from tenants.models import Role
    from tests.sso.test_saml import metadata_path, verified_domain

    verified_domain(acme, owner, dns_server)
    connection = saml_connection_save(
        tenant=acme,
        acting_user=owner,
        idp_metadata=saml_idp.metadata,
        default_role=Role.objects.get(tenant=acme, key="member"),
        require_sso=False,
        auto_join=False,
        attr_first_name="firstName",
        attr_last_name="lastName",
    )
    saml_idp.trust(live_server.url + metadata_path(connection))
    return connection


@pytest.fixture
def refusals(caplog: pytest.LogCaptureFixture) -> Any:
    """The security events logged so far (the live server logs in this process)."""
    caplog.set_level("WARNING", logger="pacetrack.security")
    return lambda: [getattr(r, "event", "") for r in caplog.records]
