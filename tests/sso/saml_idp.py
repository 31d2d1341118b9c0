"""A real SAML 2.0 identity provider built with pysaml2 (the library the app uses as
SP), signing real responses with its own key through xmlsec1. Tests read the app's
AuthnRequest from the redirect URL and POST the IdP's response to the live ACS."""

from __future__ import annotations

import base64
import html
import os
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from saml2 import BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA1, DIGEST_SHA256, SIG_RSA_SHA1, SIG_RSA_SHA256

from sso.saml import sp_keypair_generate, xmlsec1_path

ENTITY_ID = "https://idp.test/saml/metadata"
SSO_URL = "https://idp.test/saml/sso"


class LocalSamlIdP:
    """One IdP with a fresh key pair; `trust(sp_metadata)` makes it know the app."""

    def __init__(self, *, lifetime_minutes: int = 5, sso_url: str = SSO_URL) -> None:
        self.sso_url = sso_url
        self.directory = tempfile.TemporaryDirectory(prefix="test-saml-idp-")
        key, cert = sp_keypair_generate(common_name="Test IdP")
        self.key_file = os.path.join(self.directory.name, "idp.key")
        self.cert_file = os.path.join(self.directory.name, "idp.crt")
        with open(self.key_file, "w") as handle:
            handle.write(key)
        with open(self.cert_file, "w") as handle:
            handle.write(cert)
        self.lifetime_minutes = lifetime_minutes
        self.server = self._server(sp_metadata=None)
        self.metadata = str(entity_descriptor(self.server.config))

    def _server(self, *, sp_metadata: str | None) -> Server:
        config = IdPConfig()
        config.load(
            {
                "entityid": ENTITY_ID,
                "xmlsec_binary": xmlsec1_path(),
                "key_file": self.key_file,
                "cert_file": self.cert_file,
                "metadata": {"inline": [sp_metadata]} if sp_metadata else {},
                "service": {
                    "idp": {
                        "endpoints": {
                            "single_sign_on_service": [(self.sso_url, BINDING_HTTP_REDIRECT)]
                        },
                        "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                        "policy": {
                            "default": {
                                "lifetime": {"minutes": self.lifetime_minutes},
                                "attribute_restrictions": None,
                            }
                        },
                    }
                },
            }
        )
        return Server(config=config)

    def trust(self, sp_metadata_url: str, *, also_as: str = "") -> None:
        """Read the app's SP metadata (as an owner pastes it into Okta); `also_as`
        registers the same SP under another entity id (another service's audience)."""
        response = requests.get(sp_metadata_url, timeout=10)
        response.raise_for_status()
        self.sp_entity_id = sp_metadata_url
        self.server = self._server(sp_metadata=response.text)
        if also_as:
            other = response.text.replace(f'entityID="{sp_metadata_url}"', f'entityID="{also_as}"')
            assert other != response.text
            self.server.metadata.load("inline", other)

    def authn_request_id(self, redirect_url: str) -> tuple[str, str]:
        """The id of the app's AuthnRequest in `redirect_url`, and its RelayState."""
        assert redirect_url.startswith(self.sso_url), redirect_url
        query = parse_qs(urlsplit(redirect_url).query)
        request = self.server.parse_authn_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
        return str(request.message.id), query.get("RelayState", [""])[0]

    def response_xml(
        self,
        *,
        email: str,
        acs_url: str,
        in_response_to: str | None,
        audience: str | None = None,
        sign_response: bool = True,
        sign_assertion: bool = False,
        attributes: dict[str, list[str]] | None = None,
        sha1: bool = False,
    ) -> str:
        identity = attributes if attributes is not None else {"email": [email]}
        return str(
            self.server.create_authn_response(
                identity=identity,
                in_response_to=in_response_to,
                destination=acs_url,
                sp_entity_id=audience or self.sp_entity_id,
                name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=email),
                authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"},
                sign_response=sign_response,
                sign_assertion=sign_assertion,
                # SHA-256 as current IdPs sign (pysaml2's own default is SHA-1).
                sign_alg=SIG_RSA_SHA1 if sha1 else SIG_RSA_SHA256,
                digest_alg=DIGEST_SHA1 if sha1 else DIGEST_SHA256,
            )
        )


def post_response(
    session: requests.Session, acs_url: str, xml: str, relay_state: str = ""
) -> requests.Response:
    """The IdP's auto-submitted form, as the browser sends it (no redirects followed)."""
    data: dict[str, Any] = {"SAMLResponse": base64.b64encode(xml.encode()).decode()}
    if relay_state:
        data["RelayState"] = relay_state
    return session.post(acs_url, data=data, allow_redirects=False, timeout=30)


class SamlIdPServer:
    """The IdP on loopback for the browser: GET /saml/sso with the app's AuthnRequest
    shows a page whose button POSTs the signed response to the ACS (the user `email`)."""

    def __init__(self, *, host: str = "127.0.0.1") -> None:
        """`host` names the loopback address in URLs: "localhost" puts the IdP on the
        live server's site, as the SAML request cookie needs over plain http."""
        self.email = ""
        self.acs_url = ""
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.idp = LocalSamlIdP(sso_url=f"http://{host}:{self.httpd.server_port}/saml/sso")
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> SamlIdPServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                url = f"{server.idp.sso_url}?{urlsplit(self.path).query}"
                request_id, relay_state = server.idp.authn_request_id(url)
                xml = server.idp.response_xml(
                    email=server.email, acs_url=server.acs_url, in_response_to=request_id
                )
                saml_response = base64.b64encode(xml.encode()).decode()
                body = (
                    "<!doctype html><title>Test IdP</title>"
                    f'<form method="post" action="{html.escape(server.acs_url)}">'
                    f'<input type="hidden" name="SAMLResponse" value="{saml_response}">'
                    f'<input type="hidden" name="RelayState" value="{html.escape(relay_state)}">'
                    "<button type=submit>Sign in at the IdP</button></form>"
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
