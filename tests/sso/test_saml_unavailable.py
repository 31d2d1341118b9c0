"""A server without xmlsec1 (the program pysaml2 checks every SAML signature with) says
so to the owner setting SAML up, instead of calling their IdP's metadata invalid.
Runs without xmlsec1: the missing program is what it is about."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from sso.models import Connection
from sso.saml import sp_keypair_generate
from tests.sso.test_saml_settings import page, saml_form

pytestmark = pytest.mark.django_db


def idp_metadata() -> str:
    """Well-formed metadata of one IdP with a signing certificate."""
    _key, certificate = sp_keypair_generate(common_name="idp.example.com")
    body = "".join(certificate.strip().splitlines()[1:-1])
    return (
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.com">'
        '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>'
        f"{body}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
        'Location="https://idp.example.com/sso"/>'
        "</md:IDPSSODescriptor></md:EntityDescriptor>"
    )


def test_without_xmlsec1_the_owner_is_told_saml_is_unavailable_and_nothing_is_saved(
    owner_client: Any,
    acme: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr("sso.saml.XMLSEC_BINARY", str(tmp_path / "xmlsec1"))

    with caplog.at_level(logging.ERROR, logger="pacetrack.sso"):
        response = owner_client.post(
            page(acme, "connection-saml-save"), saml_form(acme, idp_metadata=idp_metadata())
        )

    assert response.status_code == 400
    html = response.content.decode()
    assert "xmlsec1 program it needs to check signatures is not installed" in html
    assert "not valid SAML IdP metadata" not in html
    assert not Connection.objects.filter(tenant=acme).exists()
    assert "apt-get install xmlsec1" in caplog.text
