"""A server without xmlsec1 (the program pysaml2 checks every SAML signature with) says
so: to the owner setting SAML up, instead of calling their IdP's metadata invalid; to a
member continuing or confirming with SSO, to an owner testing the connection and to the
IdP reading the SP metadata, instead of a server error. The first test runs without
xmlsec1; the others save a connection with it first and then take it away
(settings.SSO_SAML_XMLSEC1)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.urls import reverse

from sso.models import Connection, OrgIdentity
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
    settings: Any,
    tmp_path: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.SSO_SAML_XMLSEC1 = str(tmp_path / "xmlsec1")

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


@pytest.mark.xmlsec1  # the connection is saved while xmlsec1 is there
@pytest.mark.django_db(transaction=True)
def test_continue_with_sso_says_saml_is_unavailable_once_xmlsec1_is_gone(
    client: Any, acme_saml: Connection, settings: Any, tmp_path: Any
) -> None:
    settings.SSO_SAML_XMLSEC1 = str(tmp_path / "xmlsec1")

    response = client.post(reverse("sso:start"), {"email": "nadia@example.com"})

    assert response.status_code == 400  # the form again, with the reason
    assert "xmlsec1 program it needs to check signatures is not installed" in (
        response.content.decode()
    )
    assert "Refresh" not in response.headers  # nobody is sent to the IdP


@pytest.mark.xmlsec1
@pytest.mark.django_db(transaction=True)
def test_the_sp_metadata_answers_503_once_xmlsec1_is_gone(
    client: Any, acme_saml: Connection, settings: Any, tmp_path: Any
) -> None:
    settings.SSO_SAML_XMLSEC1 = str(tmp_path / "xmlsec1")

    response = client.get(reverse("sso:saml-metadata", kwargs={"tenant_id": acme_saml.tenant_id}))

    assert response.status_code == 503
    assert "xmlsec1" in response.content.decode()


@pytest.mark.xmlsec1
@pytest.mark.django_db(transaction=True)
def test_confirming_with_sso_says_saml_is_unavailable_once_xmlsec1_is_gone(
    owner_client: Any, owner: Any, acme_saml: Connection, settings: Any, tmp_path: Any
) -> None:
    OrgIdentity.objects.create(
        tenant=acme_saml.tenant, connection=acme_saml, user=owner, subject=owner.email
    )
    settings.SSO_SAML_XMLSEC1 = str(tmp_path / "xmlsec1")

    response = owner_client.post(
        reverse("sso:reauth", args=[acme_saml.pk]), {"next": "/account/security/"}
    )

    assert response.status_code == 400  # the refusal page, with the reason
    assert "xmlsec1 program it needs to check signatures is not installed" in (
        response.content.decode()
    )
    assert "Refresh" not in response.headers


@pytest.mark.xmlsec1
@pytest.mark.django_db(transaction=True)
def test_test_connection_says_saml_is_unavailable_once_xmlsec1_is_gone(
    owner_client: Any, acme: Any, acme_saml: Connection, settings: Any, tmp_path: Any
) -> None:
    settings.SSO_SAML_XMLSEC1 = str(tmp_path / "xmlsec1")

    response = owner_client.post(page(acme, "connection-test"), follow=True)

    assert response.redirect_chain[-1][0] == page(acme, "connection")
    assert "xmlsec1 program it needs to check signatures is not installed" in (
        response.content.decode()
    )
    assert Connection.objects.get(pk=acme_saml.pk).last_tested_at is None  # nothing tested
