"""The SAML 2.0 service-provider side, on pysaml2 with xmlsec1 verifying signatures:
the SP key pair, IdP metadata, the AuthnRequest and the Response's verification.

Flows and policy live in the services; this module speaks the protocol and raises
`SignInRefused` (or `ConnectionRefused` for bad metadata) with the reason.

What is required of a Response, beyond what pysaml2 checks by default: a signature on
the response or the assertion made with SHA-256 or stronger, exactly one assertion
(signature-wrapping defence), a Destination and every subject confirmation's Recipient
equal to our ACS URL, an `InResponseTo` that is a request we issued (kept server-side,
single use, and named by this browser's signed cookie: login CSRF) or, only where the
owner allowed IdP-initiated sign-in, none at all; and an assertion id never seen before.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hmac
import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from defusedxml import ElementTree
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS

from core.security_log import security_event
from sso.crypto import client_secret_decrypt
from sso.exceptions import ConnectionRefused, MetadataRefused, SignInRefused

logger = logging.getLogger("pacetrack.sso")

SKEW = 60  # seconds of clock difference accepted on NotBefore / NotOnOrAfter
REQUEST_LIFETIME = 600  # seconds between sending the AuthnRequest and the Response
REPLAY_WINDOW = 24 * 3600  # how long an assertion id is remembered (>> any lifetime)
ASSERTION = "{urn:oasis:names:tc:SAML:2.0:assertion}Assertion"
ENCRYPTED_ASSERTION = "{urn:oasis:names:tc:SAML:2.0:assertion}EncryptedAssertion"
RESPONSE = "{urn:oasis:names:tc:SAML:2.0:protocol}Response"
_MD = "{urn:oasis:names:tc:SAML:2.0:metadata}"
_DS = "{http://www.w3.org/2000/09/xmldsig#}"
# What a Response may be signed with: SHA-2 (pysaml2 and xmlsec1 also accept SHA-1,
# whose collisions are practical, and RIPEMD-160, as good as unused; the refusal names
# SHA-1). Current IdPs (Okta, Entra ID, Google, AD FS) sign with SHA-256 by default.
SIGNATURE_ALGORITHMS = frozenset(
    {
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha224",
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha224",
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
    }
)
DIGEST_ALGORITHMS = frozenset(
    {
        "http://www.w3.org/2001/04/xmldsig-more#sha224",
        "http://www.w3.org/2001/04/xmlenc#sha256",
        "http://www.w3.org/2001/04/xmldsig-more#sha384",
        "http://www.w3.org/2001/04/xmlenc#sha512",
    }
)


@dataclass(frozen=True)
class SpUrls:
    """Where this connection lives at Pacetrack (absolute URLs)."""

    entity_id: str
    acs_url: str


@dataclass(frozen=True)
class SamlConnectionData:
    """What the protocol needs of a connection (a plain record: no model import)."""

    pk: int
    idp_metadata: str
    sp_key_encrypted: str
    sp_certificate: str
    allow_idp_initiated: bool


def sp_keypair_generate(*, common_name: str) -> tuple[str, str]:
    """A fresh RSA-3072 key and a ten-year self-signed certificate (PEM), per connection."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64])])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return key_pem, cert.public_bytes(serialization.Encoding.PEM).decode()


def _config_dict(*, data: SamlConnectionData, urls: SpUrls, metadata: str) -> dict[str, Any]:
    return {
        "entityid": urls.entity_id,
        "xmlsec_binary": xmlsec1_path(),
        "accepted_time_diff": SKEW,
        # Our own signatures (metadata), never SHA-1 (pysaml2's default).
        "signing_algorithm": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "digest_algorithm": "http://www.w3.org/2001/04/xmlenc#sha256",
        "metadata": {"inline": [metadata]} if metadata else {},
        "service": {
            "sp": {
                "endpoints": {"assertion_consumer_service": [(urls.acs_url, BINDING_HTTP_POST)]},
                "allow_unsolicited": data.allow_idp_initiated,
                "authn_requests_signed": False,
                "want_response_signed": False,
                "want_assertions_signed": False,
                "want_assertions_or_response_signed": True,
                "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                "allow_unknown_attributes": True,
            }
        },
    }


@contextmanager
def _client(
    *, data: SamlConnectionData, urls: SpUrls, metadata: str | None = None
) -> Iterator[Saml2Client]:
    """A pysaml2 client for this connection. pysaml2 and xmlsec1 read keys from files:
    the SP key lives in a private temporary directory for the length of one call."""
    with tempfile.TemporaryDirectory(prefix="pacetrack-saml-") as directory:
        config = _config_dict(
            data=data, urls=urls, metadata=data.idp_metadata if metadata is None else metadata
        )
        if data.sp_key_encrypted:
            key_file = os.path.join(directory, "sp.key")
            cert_file = os.path.join(directory, "sp.crt")
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(client_secret_decrypt(data.sp_key_encrypted))
            with open(cert_file, "w") as handle:
                handle.write(data.sp_certificate)
            config |= {
                "key_file": key_file,
                "cert_file": cert_file,
                "encryption_keypairs": [{"key_file": key_file, "cert_file": cert_file}],
            }
        sp_config = SPConfig()
        sp_config.load(config)
        yield Saml2Client(config=sp_config)


def xmlsec1_path() -> str:
    """Where xmlsec1 is (settings.SSO_SAML_XMLSEC1: set, or found on PATH at startup)."""
    return str(settings.SSO_SAML_XMLSEC1)


def xmlsec1_installed() -> bool:
    """pysaml2 verifies every signature by running xmlsec1 (Debian's `xmlsec1` package,
    in the Dockerfile); without it no SAML connection can work."""
    return os.access(xmlsec1_path(), os.X_OK)


def _require_xmlsec1() -> None:
    """ConnectionRefused, said as it is, when xmlsec1 is missing: pysaml2 would fail on
    anything, which read as "not valid metadata" (owners sent to their IdP's settings
    for a server problem) or ended in a server error."""
    if not xmlsec1_installed():
        logger.error(
            "SAML is unavailable: %s is missing (apt-get install xmlsec1, or set "
            "SSO_SAML_XMLSEC1 to its path)",
            xmlsec1_path(),
        )
        raise ConnectionRefused.because(
            gettext_noop(
                "SAML is not available on this server yet: the xmlsec1 program it needs to "
                "check signatures is not installed. Ask whoever runs Pacetrack to install it."
            )
        )


def idp_metadata_read(xml: str) -> tuple[str, str]:
    """The IdP's entity id and its HTTP-Redirect SSO URL, or MetadataRefused when the
    metadata is not one IdP's with a signing certificate (ConnectionRefused without
    xmlsec1)."""
    _require_xmlsec1()
    data = SamlConnectionData(
        pk=0, idp_metadata=xml, sp_key_encrypted="", sp_certificate="", allow_idp_initiated=False
    )
    urls = SpUrls(entity_id="urn:pacetrack:metadata-check", acs_url="https://invalid/acs")
    try:
        with _client(data=data, urls=urls) as client:
            idps = list(client.metadata.identity_providers())
            if not idps:  # XML of another kind, or a service provider's metadata
                raise MetadataRefused.because(
                    gettext_noop(
                        "That XML describes no identity provider: it is not SAML IdP "
                        "metadata (perhaps a service provider's, such as ours)."
                    )
                )
            if len(idps) != 1:
                raise MetadataRefused.because(
                    gettext_noop("The metadata must describe exactly one identity provider.")
                )
            entity_id = idps[0]
            sso = client.metadata.single_sign_on_service(entity_id, BINDING_HTTP_REDIRECT)
            certs = client.metadata.certs(entity_id, "idpsso", "signing")
    except ConnectionRefused:  # MetadataRefused above
        raise
    except Exception as error:  # pysaml2 raises many kinds on bad XML
        security_event("sso.saml_metadata_refused", error=type(error).__name__)
        raise MetadataRefused.because(
            gettext_noop("That is not valid SAML IdP metadata XML.")
        ) from None
    if not sso:
        raise MetadataRefused.because(
            gettext_noop("The IdP metadata has no HTTP-Redirect SingleSignOnService.")
        )
    if not certs:
        raise MetadataRefused.because(gettext_noop("The IdP metadata has no signing certificate."))
    return entity_id, sso[0]["location"]


def idp_certificate_valid_until(xml: str) -> dt.datetime | None:
    """When the last signing certificate the IdP's metadata lists stops being valid
    (None for metadata without a readable one). Sign-in does not check the dates, but
    an IdP moves to a new certificate around then, and responses signed with one its
    stored metadata does not list are refused: the owner must upload new metadata."""
    try:
        root = ElementTree.fromstring(xml.encode(), forbid_dtd=True)
    except Exception:
        return None
    ends = []
    for descriptor in root.iter(f"{_MD}IDPSSODescriptor"):
        for key in descriptor.iter(f"{_MD}KeyDescriptor"):
            if key.get("use", "signing") != "signing":
                continue
            for text in key.iter(f"{_DS}X509Certificate"):
                try:
                    der = base64.b64decode("".join((text.text or "").split()), validate=True)
                    ends.append(x509.load_der_x509_certificate(der).not_valid_after_utc)
                except (binascii.Error, ValueError):
                    continue
    return max(ends, default=None)


def sp_metadata_xml(*, data: SamlConnectionData, urls: SpUrls) -> str:
    """Pacetrack's SP metadata for this connection, to paste into the IdP."""
    _require_xmlsec1()
    with _client(data=data, urls=urls, metadata="") as client:
        return str(entity_descriptor(client.config))


def authn_request(*, data: SamlConnectionData, urls: SpUrls, relay_state: str) -> tuple[str, str]:
    """The IdP URL carrying a fresh AuthnRequest (HTTP-Redirect), and the request id,
    remembered server-side for REQUEST_LIFETIME to be matched once by the Response."""
    _require_xmlsec1()
    with _client(data=data, urls=urls) as client:
        request_id, info = client.prepare_for_authenticate(
            binding=BINDING_HTTP_REDIRECT, relay_state=relay_state
        )
    url = dict(info["headers"])["Location"]
    cache.set(f"sso:saml:request:{request_id}", data.pk, REQUEST_LIFETIME)
    return url, request_id


def _structure_check(xml: bytes) -> str:
    """The Response's InResponseTo ("" when none), once its shape is one Response
    holding exactly one (plain) Assertion: a second, wrapped or injected copy is how
    signature-wrapping attacks smuggle an unsigned assertion past a signed one."""
    try:
        root = ElementTree.fromstring(xml, forbid_dtd=True)
    except Exception:
        raise SignInRefused(_("The identity provider's response is not valid XML.")) from None
    assertions = list(root.iter(ASSERTION))
    if (
        root.tag != RESPONSE
        or list(root.iter(ENCRYPTED_ASSERTION))
        or len(assertions) != 1
        or assertions[0] not in list(root)
    ):
        security_event("sso.saml_structure_refused", assertions=len(assertions))
        raise SignInRefused(_("The identity provider's response could not be verified."))
    _algorithms_check(root)
    return root.get("InResponseTo") or ""


def _algorithms_check(root: Any) -> None:
    """Every signature in the Response uses an algorithm of SIGNATURE_ALGORITHMS and
    DIGEST_ALGORITHMS; the refusal says what to change at the IdP."""
    used = [(m.get("Algorithm") or "") for m in root.iter(f"{_DS}SignatureMethod")]
    digests = [(m.get("Algorithm") or "") for m in root.iter(f"{_DS}DigestMethod")]
    weak = [a for a in used if a not in SIGNATURE_ALGORITHMS] + [
        a for a in digests if a not in DIGEST_ALGORITHMS
    ]
    if weak:
        security_event("sso.saml_algorithm_refused", algorithms=",".join(sorted(set(weak)))[:200])
        raise SignInRefused(
            _(
                "The identity provider signed its response with an algorithm Pacetrack no "
                "longer accepts (SHA-1). Ask your administrator to sign with SHA-256 in the "
                "identity provider's settings for Pacetrack."
            )
        )


def response_verify(
    *, data: SamlConnectionData, urls: SpUrls, saml_response: str, browser_request_id: str
) -> dict[str, Any]:
    """The verified assertion's subject and attributes: {"name_id", "attributes",
    "in_response_to"}. Every check failing raises SignInRefused. `browser_request_id`
    is the request this browser started (its signed cookie, "" when none): a Response
    to any other request is someone else's sign-in (login CSRF)."""
    try:
        xml = base64.b64decode(saml_response, validate=True)
    except (binascii.Error, ValueError):
        raise SignInRefused(_("The identity provider's response is not readable.")) from None
    in_response_to = _structure_check(xml)
    outstanding: dict[str, str] = {}
    if in_response_to:
        # Bytes: the attribute is read before any signature check, and compare_digest
        # refuses non-ASCII text (a 500 rather than a refusal).
        if not hmac.compare_digest(in_response_to.encode(), browser_request_id.encode()):
            security_event("sso.saml_request_other_browser", connection=data.pk)
            raise SignInRefused(
                _("This sign-in was started in another browser, or expired. Start again here.")
            )
        if cache.get(f"sso:saml:request:{in_response_to}") != data.pk:
            security_event("sso.saml_unknown_request", connection=data.pk)
            raise SignInRefused(_("This sign-in expired or was not started here. Try again."))
        outstanding = {in_response_to: "/"}
    elif not data.allow_idp_initiated:
        security_event("sso.saml_unsolicited_refused", connection=data.pk)
        raise SignInRefused(
            _(
                "Sign-in started at the identity provider is off for this organisation. "
                "Start from Pacetrack's “Continue with SSO”."
            )
        )
    try:
        with _client(data=data, urls=urls) as client:
            response = client.parse_authn_request_response(
                saml_response, BINDING_HTTP_POST, outstanding=outstanding
            )
    except Exception as error:  # pysaml2 raises a different class for each failed check
        security_event(
            "sso.saml_response_refused",
            connection=data.pk,
            error=f"{type(error).__name__}: {str(error)[:200]}",
        )
        raise SignInRefused(_("The identity provider's response could not be verified.")) from None
    if response is None or response.assertion is None:  # pysaml2 returns None for some
        security_event("sso.saml_response_refused", connection=data.pk, error="not verified")
        raise SignInRefused(_("The identity provider's response could not be verified."))
    if response.response.destination != urls.acs_url:
        security_event("sso.saml_destination_refused", connection=data.pk)
        raise SignInRefused(_("The identity provider's response was sent for another address."))
    # pysaml2 checks the Recipient only against state it does not keep here: every
    # subject confirmation must name our ACS URL (the signed half of the Destination).
    subject = response.assertion.subject
    recipients = [
        c.subject_confirmation_data.recipient
        for c in (subject.subject_confirmation if subject is not None else None) or []
        if c.subject_confirmation_data is not None
    ]
    if not recipients or any(r != urls.acs_url for r in recipients):
        security_event("sso.saml_recipient_refused", connection=data.pk)
        raise SignInRefused(_("The identity provider's response was sent for another address."))
    if in_response_to and not cache.delete(f"sso:saml:request:{in_response_to}"):
        security_event("sso.saml_request_replayed", connection=data.pk)
        raise SignInRefused(_("This sign-in was already used. Start again."))
    assertion_id = response.assertion.id
    if not assertion_id or not cache.add(
        f"sso:saml:assertion:{data.pk}:{assertion_id}", 1, REPLAY_WINDOW
    ):
        security_event("sso.saml_assertion_replayed", connection=data.pk)
        raise SignInRefused(_("This sign-in was already used. Start again."))
    name_id = response.name_id
    attributes: dict[str, list[str]] = {}
    for statement in response.assertion.attribute_statement or []:
        for attribute in statement.attribute or []:
            values = [str(v.text).strip() for v in attribute.attribute_value or [] if v.text]
            # Mapped by Name (Okta: "firstName"; Entra ID: claim URIs) or FriendlyName.
            for key in dict.fromkeys(filter(None, (attribute.name, attribute.friendly_name))):
                attributes.setdefault(str(key), []).extend(values)
    return {
        "name_id": str(name_id.text).strip() if name_id is not None and name_id.text else "",
        "attributes": attributes,
        "in_response_to": in_response_to,
    }
