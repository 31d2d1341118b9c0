"""An owner types an OpenID Connect issuer, and the discovery document it serves names
the other endpoints: none of them may make the server call inside its own network
(SSRF). Every request to a provider resolves the host once, through SSO_DNS_NAMESERVERS,
refuses private, loopback, link-local and reserved addresses, and connects to the
address it checked. SSO_ALLOW_HTTP_ISSUERS (tests, local experiments) lets them through.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from sso.exceptions import IssuerRefused, SignInRefused
from sso.models import Connection
from sso.protocol import Endpoints, discover, id_token_validate
from tests.sso.dns_server import LocalDNS
from tests.sso.test_org_sso import connection_form, page

pytestmark = pytest.mark.django_db


class Listener:
    """A TCP port on loopback that counts the connections made to it (an internal
    service the attacker wants the server to reach)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            conn.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture
def internal() -> Iterator[Listener]:
    listener = Listener()
    yield listener
    listener.stop()


@pytest.fixture
def production(settings: Any, dns_server: LocalDNS) -> LocalDNS:
    settings.SSO_ALLOW_HTTP_ISSUERS = False
    return dns_server


def test_an_issuer_on_loopback_is_refused_before_any_connection(
    owner_client: Any, acme: Any, idp: Any, production: LocalDNS, internal: Listener
) -> None:
    """The attack the walk found: the save tried https://127.0.0.1:<port> and the
    port saw a TLS handshake."""
    response = owner_client.post(
        page(acme, "connection-save"),
        connection_form(idp, issuer=f"https://127.0.0.1:{internal.port}"),
    )

    assert response.status_code == 400 and not Connection.objects.exists()
    assert response.context["form"].errors["issuer"] == [
        "127.0.0.1 leads to a private or reserved address; the issuer must be on the internet."
    ]
    assert internal.connections == 0


@pytest.mark.parametrize("address", ["10.1.2.3", "169.254.169.254", "100.64.0.1", "0.0.0.0"])
def test_a_name_that_resolves_inside_the_network_is_refused(
    production: LocalDNS, address: str
) -> None:
    production.publish_address("idp.acme-example.com", address)
    with pytest.raises(IssuerRefused, match="idp.acme-example.com leads to a private"):
        discover("https://idp.acme-example.com")


def test_a_name_that_does_not_resolve_says_so(production: LocalDNS) -> None:
    with pytest.raises(IssuerRefused, match="nowhere.acme-example.com could not be resolved"):
        discover("https://nowhere.acme-example.com")


def test_keys_the_discovery_document_points_inside_are_not_fetched(
    production: LocalDNS, internal: Listener
) -> None:
    """A provider that passed discovery names an internal jwks_uri: refused too, as the
    token and userinfo endpoints are (the same session)."""
    endpoints = Endpoints(
        authorize_url="https://idp.acme-example.com/authorize",
        token_url="https://idp.acme-example.com/token",
        issuer="https://idp.acme-example.com",
        jwks_uri=f"https://127.0.0.1:{internal.port}/jwks",
    )
    with pytest.raises(SignInRefused, match="ID token could not be verified"):
        id_token_validate(endpoints=endpoints, client_id="c", id_token="x.y.z", nonce="n")
    assert internal.connections == 0


class _Discovery(BaseHTTPRequestHandler):
    hosts: list[str] = []  # noqa: RUF012 (one server per test, reset there)

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        type(self).hosts.append(self.headers["Host"])
        base = f"http://{self.headers['Host']}"
        body = json.dumps(
            {
                "issuer": base,
                "authorization_endpoint": f"{base}/authorize",
                "token_endpoint": f"{base}/token",
                "jwks_uri": f"{base}/jwks",
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_the_connection_goes_to_the_address_checked_with_the_name_as_host(
    settings: Any, dns_server: LocalDNS
) -> None:
    """Resolved once through our DNS (the system resolver has never heard of this
    name), connected to that address, the name sent only as Host: a second answer
    (rebinding) is never asked for."""
    settings.SSO_ALLOW_HTTP_ISSUERS = True
    _Discovery.hosts = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Discovery)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        dns_server.publish_address("idp.acme-example.com", "127.0.0.1")
        port = server.server_port
        endpoints = discover(f"http://idp.acme-example.com:{port}")
    finally:
        server.shutdown()
        server.server_close()
    assert _Discovery.hosts == [f"idp.acme-example.com:{port}"]
    assert endpoints.token_url == f"http://idp.acme-example.com:{port}/token"
