"""The SAML half of the SSO page: the owner uploads the IdP's metadata, sees what to
paste into the IdP (entity id, ACS URL, certificate), and the organisation's rules
(required SSO) apply to a SAML connection as to an OIDC one."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import AuditEvent
from sso.models import Connection
from tenants.models import Role
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.sso.dns_server import LocalDNS
from tests.sso.saml_idp import ENTITY_ID, LocalSamlIdP
from tests.sso.test_saml import verified_domain

pytestmark = [pytest.mark.xmlsec1, pytest.mark.django_db]


def page(tenant: Any, name: str) -> str:
    return reverse(f"sso_settings:{name}", kwargs={"tenant_slug": tenant.slug})


def saml_form(acme: Any, **overrides: Any) -> dict[str, Any]:
    return {
        "default_role": Role.objects.get(tenant=acme, key="member").pk,
        "attr_email": "email",
        "attr_first_name": "firstName",
        "attr_last_name": "lastName",
        "attr_groups": "groups",
        **overrides,
    }


def test_an_owner_uploads_idp_metadata_and_sees_what_to_paste_into_the_idp(
    owner_client: Any, acme: Any
) -> None:
    idp = LocalSamlIdP()
    upload = SimpleUploadedFile("idp.xml", idp.metadata.encode(), "application/xml")

    response = owner_client.post(
        page(acme, "connection-saml-save"), saml_form(acme, idp_metadata_file=upload)
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    connection = Connection.objects.get(tenant=acme)
    assert connection.is_saml and connection.saml_idp_entity_id == ENTITY_ID
    assert connection.saml_allow_idp_initiated is False
    assert "PRIVATE KEY" not in connection.saml_sp_key_encrypted
    html = owner_client.get(page(acme, "connection")).content.decode()
    metadata_url = f"/auth/saml/{acme.pk}/metadata/"
    assert metadata_url in html and f"/auth/saml/{acme.pk}/acs/" in html
    assert connection.saml_sp_certificate.splitlines()[1] in html
    assert "PRIVATE KEY" not in html
    assert AuditEvent.objects.filter(tenant=acme, action="sso.connection_created").exists()
    # Saved again without metadata: the stored metadata and the SP key pair are kept.
    owner_client.post(page(acme, "connection-saml-save"), saml_form(acme, attr_email=""))
    again = Connection.objects.get(tenant=acme)
    assert again.saml_sp_certificate == connection.saml_sp_certificate
    assert again.saml_idp_metadata == connection.saml_idp_metadata and again.saml_attr_email == ""
    assert AuditEvent.objects.filter(tenant=acme, action="sso.connection_changed").exists()


def test_metadata_that_is_not_an_idps_is_refused(owner_client: Any, acme: Any) -> None:
    response = owner_client.post(
        page(acme, "connection-saml-save"), saml_form(acme, idp_metadata="<not>metadata</not>")
    )

    assert response.status_code == 400
    assert "describes no identity provider" in response.content.decode()
    assert not Connection.objects.exists()


@pytest.mark.parametrize(
    ("metadata", "said"),
    [
        ("", "Upload your identity provider's SAML metadata XML, or give its URL."),
        ("<EntityDescriptor>not closed", "That is not valid SAML IdP metadata XML."),
    ],
)
def test_missing_or_bad_metadata_is_said_beside_the_metadata_field(
    owner_client: Any, acme: Any, metadata: str, said: str
) -> None:
    """It was a form-wide error: no field was marked invalid or described by it."""
    response = owner_client.post(
        page(acme, "connection-saml-save"), saml_form(acme, idp_metadata=metadata)
    )

    html = unescape(response.content.decode())
    field = re.search(r'<input[^>]*name="idp_metadata_file"[^>]*>', html)
    assert field and 'aria-invalid="true"' in field.group(0)
    assert re.search(r'id="saml_idp_metadata_file_error"><p>' + re.escape(said), html)


def test_a_new_oidc_connection_without_its_secret_says_which(owner_client: Any, acme: Any) -> None:
    """ "Client secret: This field is required." where every other field says what to do."""
    response = owner_client.post(
        page(acme, "connection-save"),
        {"issuer": "https://idp.example.com", "client_id": "pacetrack"},
    )

    assert "Enter the client secret your identity provider shows for this app." in unescape(
        response.content.decode()
    )


def test_a_member_may_not_change_the_saml_connection(
    client: Any, acme: Any, member_of_acme: Any
) -> None:
    client.force_login(member_of_acme)
    idp = LocalSamlIdP()

    response = client.post(
        page(acme, "connection-saml-save"), saml_form(acme, idp_metadata=idp.metadata)
    )

    assert response.status_code in (403, 404)
    assert not Connection.objects.exists()


def test_with_saml_sso_required_a_member_password_sign_in_is_refused(
    client: Any, acme: Any, owner: Any, member_of_acme: Any, dns_server: LocalDNS
) -> None:
    from sso.services_saml import saml_connection_save

    verified_domain(acme, owner, dns_server)
    saml_connection_save(
        tenant=acme,
        acting_user=owner,
        idp_metadata=LocalSamlIdP().metadata,
        default_role=Role.objects.get(tenant=acme, key="member"),
        require_sso=True,
        auto_join=False,
    )

    response = client.post(
        reverse("accounts:sign-in"),
        {"email": member_of_acme.email, "password": DEFAULT_PASSWORD},
    )

    assert "signs its members in with single sign-on" in response.content.decode()


def test_the_audit_log_says_where_the_metadata_came_from_in_the_readers_language(
    owner_client: Any, acme: Any, owner: Any
) -> None:
    upload = SimpleUploadedFile("idp.xml", LocalSamlIdP().metadata.encode(), "application/xml")
    owner_client.post(page(acme, "connection-saml-save"), saml_form(acme, idp_metadata_file=upload))
    type(owner).objects.filter(pk=owner.pk).update(language="de")

    html = owner_client.get(f"/t/{acme.slug}/audit/").content.decode()

    # Stored as "saml" and "uploaded".
    assert (
        '<span class="font-medium text-slate-700">Protokoll</span>: <span>SAML 2.0</span>' in html
    )
    assert (
        '<span class="font-medium text-slate-700">IdP-Metadaten</span>: <span>Hochgeladen</span>'
    ) in html
