"""Organisation SSO over SAML 2.0, against a real pysaml2 IdP whose responses are
signed with its own key (xmlsec1) and POSTed to the live server's ACS: SP-initiated
sign-in with JIT provisioning, and every refusal the issue lists."""

from __future__ import annotations

import html
import re
from typing import Any
from xml.etree import ElementTree as ET

import pytest
import requests
from django.urls import reverse

from accounts.models import User
from core.models import AuditEvent
from sso.models import Connection, OrgIdentity
from tenants.models import Membership
from tests.sso.dns_server import LocalDNS
from tests.sso.saml_idp import LocalSamlIdP, post_response

SAML_COOKIE = "pacetrack-saml"  # the SAML request cookie over http (sso.flow_cookie)

pytestmark = [pytest.mark.xmlsec1, pytest.mark.django_db(transaction=True)]

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
DS = "http://www.w3.org/2000/09/xmldsig#"


def verified_domain(acme: Any, owner: Any, dns_server: LocalDNS) -> None:
    from sso.services_domains import domain_add, domain_verify

    domain = domain_add(tenant=acme, domain="example.com", acting_user=owner)
    dns_server.publish(domain.record_name, domain.token)
    domain_verify(tenant=acme, domain=domain, acting_user=owner)


def metadata_path(connection: Connection) -> str:
    return reverse("sso:saml-metadata", kwargs={"tenant_id": connection.tenant_id})


def acs_url(live_server: Any, connection: Connection) -> str:
    return live_server.url + reverse("sso:saml-acs", kwargs={"tenant_id": connection.tenant_id})


def continue_with_sso(
    live_server: Any, session: requests.Session, email: str, next_url: str = ""
) -> str:
    """The email-first form, as a browser fills it in: returns the IdP URL carrying
    the AuthnRequest (from the Refresh header of the leaving page)."""
    page = session.get(live_server.url + reverse("sso:start"), timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token is not None
    data = {"csrfmiddlewaretoken": token[1], "email": email}
    if next_url:
        data["next"] = next_url
    response = session.post(
        live_server.url + reverse("sso:start"),
        data=data,
        headers={"Referer": live_server.url + reverse("sso:start")},
        timeout=30,
    )
    assert response.status_code == 200, response.text[:500]
    return response.headers["Refresh"].split("url=", 1)[1]


def started(live_server: Any, saml_idp: LocalSamlIdP, email: str) -> tuple[requests.Session, str]:
    session = requests.Session()
    request_id, _ = saml_idp.authn_request_id(continue_with_sso(live_server, session, email))
    return session, request_id


def signed_in_as(live_server: Any, session: requests.Session) -> str | None:
    """The email of whoever this session is signed in as (None: anonymous)."""
    response = session.get(live_server.url + "/account/", allow_redirects=False, timeout=30)
    if response.status_code != 200:
        return None
    found = re.search(r"[\w.+-]+@example\.com", response.text)
    return found[0] if found else ""


def assert_refused(
    response: requests.Response,
    live_server: Any,
    session: Any,
    *,
    why: str = "",
    events: Any = None,
) -> None:
    """Refused (400, nobody signed in) and, given `why`, for that reason."""
    assert response.status_code == 400, response.text[:300]
    assert signed_in_as(live_server, session) is None
    if why:
        assert why in events(), events()


# --- sign-in ---------------------------------------------------------------------------


def test_sp_initiated_sign_in_provisions_a_member_with_the_mapped_name(
    live_server: Any, acme: Any, acme_saml: Connection, saml_idp: LocalSamlIdP
) -> None:
    session = requests.Session()
    redirect = continue_with_sso(live_server, session, "Nadia@Example.com", next_url="/account/")
    request_id, relay_state = saml_idp.authn_request_id(redirect)
    assert relay_state == "/account/"
    xml = saml_idp.response_xml(
        email="nadia@example.com",
        acs_url=acs_url(live_server, acme_saml),
        in_response_to=request_id,
        attributes={"email": ["nadia@example.com"], "firstName": ["Nadia"], "lastName": ["Ng"]},
    )

    response = post_response(session, acs_url(live_server, acme_saml), xml, relay_state)

    assert response.status_code == 302 and response.headers["Location"] == "/account/"
    user = User.objects.get(email="nadia@example.com")
    assert user.name == "Nadia Ng" and user.is_email_verified
    assert Membership.objects.get(tenant=acme, user=user).role.key == "member"
    assert OrgIdentity.objects.filter(connection=acme_saml, subject="nadia@example.com").exists()
    assert AuditEvent.objects.filter(tenant=acme, action="sso.signed_in").exists()
    assert signed_in_as(live_server, session) is not None


def test_a_signed_assertion_in_an_unsigned_response_is_accepted(
    live_server: Any, acme_saml: Connection, saml_idp: LocalSamlIdP
) -> None:
    session, request_id = started(live_server, saml_idp, "ana@example.com")
    xml = saml_idp.response_xml(
        email="ana@example.com",
        acs_url=acs_url(live_server, acme_saml),
        in_response_to=request_id,
        sign_response=False,
        sign_assertion=True,
    )

    response = post_response(session, acs_url(live_server, acme_saml), xml)

    assert response.status_code == 302
    assert User.objects.filter(email="ana@example.com").exists()


def test_the_sp_metadata_names_the_entity_id_the_acs_url_and_the_certificate(
    live_server: Any, acme_saml: Connection
) -> None:
    response = requests.get(live_server.url + metadata_path(acme_saml), timeout=30)

    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert root.get("entityID") == live_server.url + metadata_path(acme_saml)
    acs = root.find(".//{urn:oasis:names:tc:SAML:2.0:metadata}AssertionConsumerService")
    assert acs is not None and acs.get("Location") == acs_url(live_server, acme_saml)
    certificate = root.find(f".//{{{DS}}}X509Certificate")
    assert certificate is not None and certificate.text
    assert "".join(certificate.text.split()) in "".join(acme_saml.saml_sp_certificate.split())


# --- refusals --------------------------------------------------------------------------


def test_an_unsigned_response_is_refused(
    live_server: Any, acme_saml: Connection, saml_idp: LocalSamlIdP, refusals: Any
) -> None:
    session, request_id = started(live_server, saml_idp, "eve@example.com")
    xml = saml_idp.response_xml(
        email="eve@example.com",
        acs_url=acs_url(live_server, acme_saml),
        in_response_to=request_id,
        sign_response=False,
        sign_assertion=False,
    )

    assert_refused(
        post_response(session, acs_url(live_server, acme_saml), xml),
        live_server,
        session,
        why="sso.saml_response_refused",
        events=refusals,
    )
    assert not User.objects.filter(email="eve@example.com").exists()


@pytest.mark.parametrize("signed", ["response", "assertion"])
def test_a_response_signed_with_sha1_is_refused_saying_what_to_change(
    live_server: Any, acme_saml: Connection, saml_idp: LocalSamlIdP, refusals: Any, signed: str
) -> None:
    """pysaml2 and xmlsec1 accept RSA-SHA1 and SHA-1 digests, whose collisions are
    practical; the same response signed with SHA-256 signs in (the other tests)."""
    session, request_id = started(live_server, saml_idp, "eve@example.com")
    xml = saml_idp.response_xml(
        email="eve@example.com",
        acs_url=acs_url(live_server, acme_saml),
        in_response_to=request_id,
        sign_response=signed == "response",
        sign_assertion=signed == "assertion",
        sha1=True,
    )
    assert "xmldsig#rsa-sha1" in xml

    refused = post_response(session, acs_url(live_server, acme_saml), xml)

    assert_refused(refused, live_server, session, why="sso.saml_algorithm_refused", events=refusals)
    assert "sign with SHA-256" in html.unescape(refused.text)
    assert not User.objects.filter(email="eve@example.com").exists()


def test_a_signed_response_is_refused_not_trusted_when_the_server_loses_xmlsec1(
    live_server: Any,
    acme_saml: Connection,
    saml_idp: LocalSamlIdP,
    refusals: Any,
    settings: Any,
    tmp_path: Any,
) -> None:
    """Signatures are checked by running xmlsec1: when it is gone (a rebuilt image
    without the package), a correctly signed response still signs nobody in."""
    session, request_id = started(live_server, saml_idp, "eve@example.com")
    xml = saml_idp.response_xml(
        email="eve@example.com", acs_url=acs_url(live_server, acme_saml), in_response_to=request_id
    )
    settings.SSO_SAML_XMLSEC1 = str(tmp_path / "xmlsec1")

    assert_refused(
        post_response(session, acs_url(live_server, acme_saml), xml),
        live_server,
        session,
        why="sso.saml_response_refused",
        events=refusals,
    )
    assert not User.objects.filter(email="eve@example.com").exists()


def _evil_copy(assertion: ET.Element, email: str) -> ET.Element:
    """An unsigned copy of `assertion` naming someone else."""
    evil = ET.fromstring(ET.tostring(assertion))
    for signature in evil.findall(f"{{{DS}}}Signature"):
        evil.remove(signature)
    evil.set("ID", "_evil" + (assertion.get("ID") or ""))
    name_id = evil.find(f".//{{{SAML}}}NameID")
    assert name_id is not None
    name_id.text = email
    for value in evil.iter(f"{{{SAML}}}AttributeValue"):
        value.text = email
    return evil


def _signed_assertion_response(
    live_server: Any, connection: Connection, saml_idp: LocalSamlIdP, email: str, request_id: str
) -> tuple[ET.Element, ET.Element]:
    xml = saml_idp.response_xml(
        email=email,
        acs_url=acs_url(live_server, connection),
        in_response_to=request_id,
        sign_response=False,
        sign_assertion=True,
    )
    root = ET.fromstring(xml)
    assertion = root.find(f"{{{SAML}}}Assertion")
    assert assertion is not None
    return root, assertion


def test_xsw_an_evil_assertion_before_the_signed_one_is_refused(
    live_server: Any,
    acme: Any,
    acme_saml: Connection,
    saml_idp: LocalSamlIdP,
    owner: Any,
    refusals: Any,
) -> None:
    """XSW: the IdP signed an assertion for the attacker; an unsigned copy naming the
    owner is put first, where a naive SP reads "the" assertion."""
    session, request_id = started(live_server, saml_idp, "mallory@example.com")
    root, signed = _signed_assertion_response(
        live_server, acme_saml, saml_idp, "mallory@example.com", request_id
    )
    root.insert(list(root).index(signed), _evil_copy(signed, owner.email))

    response = post_response(session, acs_url(live_server, acme_saml), ET.tostring(root).decode())

    assert_refused(
        response, live_server, session, why="sso.saml_structure_refused", events=refusals
    )
    assert not OrgIdentity.objects.filter(user=owner).exists()


def test_xsw_the_signed_assertion_wrapped_away_and_an_evil_one_in_its_place_is_refused(
    live_server: Any,
    acme: Any,
    acme_saml: Connection,
    saml_idp: LocalSamlIdP,
    owner: Any,
    refusals: Any,
) -> None:
    """XSW: the signed assertion moves into the response's Extensions (its signature
    still verifies by ID) and an unsigned evil assertion takes its place."""
    session, request_id = started(live_server, saml_idp, "mallory@example.com")
    root, signed = _signed_assertion_response(
        live_server, acme_saml, saml_idp, "mallory@example.com", request_id
    )
    position = list(root).index(signed)
    root.remove(signed)
    extensions = ET.Element(f"{{{SAMLP}}}Extensions")
    extensions.append(signed)
    root.insert(1, extensions)
    evil = _evil_copy(signed, owner.email)
    evil.set("ID", signed.get("ID") or "")
    root.insert(position + 1, evil)

    response = post_response(session, acs_url(live_server, acme_saml), ET.tostring(root).decode())

    assert_refused(
        response, live_server, session, why="sso.saml_structure_refused", events=refusals
    )
    assert not OrgIdentity.objects.filter(user=owner).exists()


def test_an_assertion_for_another_audience_is_refused(
    live_server: Any, acme_saml: Connection, saml_idp: LocalSamlIdP, refusals: Any
) -> None:
    saml_idp.trust(
        live_server.url + metadata_path(acme_saml), also_as="https://another-sp.example/metadata"
    )
    session, request_id = started(live_server, saml_idp, "eve@example.com")
    xml = saml_idp.response_xml(
        email="eve@example.com",
        acs_url=acs_url(live_server, acme_saml),
        in_response_to=request_id,
        audience="https://another-sp.example/metadata",
    )
    assert "<ns1:Audience>https://another-sp.example/metadata<" in xml.replace("ns2:", "ns1:")

    assert_refused(
        post_response(session, acs_url(live_server, acme_saml), xml),
        live_server,
        session,
        why="sso.saml_response_refused",
        events=refusals,
    )


def test_a_response_for_another_destination_is_refused(
    live_server: Any, acme_saml: Connection, saml_idp: LocalSamlIdP, refusals: Any
) -> None:
    session, request_id = started(live_server, saml_idp, "eve@example.com")
    xml = saml_idp.response_xml(
        email="eve@example.com",
        acs_url="https://another-sp.example/acs",
        in_response_to=request_id,
    )

    assert_refused(
        post_response(session, acs_url(live_server, acme_saml), xml),
        live_server,
        session,
        why="sso.saml_response_refused",
        events=refusals,
    )


def _with_response_destination(xml: str, destination: str) -> str:
    """The response (unsigned; its assertion signed) with another Destination, edited
    in place: re-serialising would change the signed assertion's bytes."""
    found = re.search(r'Destination="[^"]*"', xml)
    assert found is not None and found.start() < xml.index("Assertion")
    return xml[: found.start()] + f'Destination="{destination}"' + xml[found.end() :]


def test_a_response_whose_destination_alone_is_wrong_is_refused(
    live_server: Any, acme_saml: Connection, saml_idp: LocalSamlIdP, refusals: Any
) -> None:
    """Signed assertion, right audience, recipient, request and time; only the
    Response's Destination names another service."""
    session, request_id = started(live_server, saml_idp, "eve@example.com")
    xml = saml_idp.response_xml(
        email="eve@example.com",
        acs_url=acs_url(live_server, acme_saml),
        in_response_to=request_id,
        sign_response=False,
        sign_assertion=True,
    )
    xml = _with_response_destination(xml, "https://another-sp.example/acs")

    assert_refused(
        post_response(session, acs_url(live_server, acme_saml), xml),
        live_server,
        session,
        events=refusals,
    )
    assert {"sso.saml_response_refused", "sso.saml_destination_refused"} & set(refusals())
    assert not User.objects.filter(email="eve@example.com").exists()


def test_an_assertion_whose_recipient_alone_is_wrong_is_refused(
    live_server: Any, acme_saml: Connection, saml_idp: LocalSamlIdP, refusals: Any
) -> None:
    """The signed assertion's SubjectConfirmationData Recipient names another service;
    the Response's Destination (outside the signature) is ours, everything else valid."""
    session, request_id = started(live_server, saml_idp, "eve@example.com")
    xml = saml_idp.response_xml(
        email="eve@example.com",
        acs_url="https://another-sp.example/acs",
        in_response_to=request_id,
        sign_response=False,
        sign_assertion=True,
    )
    xml = _with_response_destination(xml, acs_url(live_server, acme_saml))
    assert 'Recipient="https://another-sp.example/acs"' in xml

    assert_refused(
        post_response(session, acs_url(live_server, acme_saml), xml),
        live_server,
        session,
        why="sso.saml_recipient_refused",
        events=refusals,
    )
    assert not User.objects.filter(email="eve@example.com").exists()


def test_an_expired_assertion_is_refused(
    live_server: Any, acme_saml: Connection, saml_idp: LocalSamlIdP, refusals: Any
) -> None:
    saml_idp.lifetime_minutes = -10  # NotOnOrAfter ten minutes ago, beyond the skew
    saml_idp.trust(live_server.url + metadata_path(acme_saml))
    session, request_id = started(live_server, saml_idp, "eve@example.com")
    xml = saml_idp.response_xml(
        email="eve@example.com", acs_url=acs_url(live_server, acme_saml), in_response_to=request_id
    )
    assert "NotOnOrAfter" in xml

    assert_refused(
        post_response(session, acs_url(live_server, acme_saml), xml),
        live_server,
        session,
        why="sso.saml_response_refused",
        events=refusals,
    )


def test_a_replayed_response_is_refused_even_with_the_browser_s_cookie(
    live_server: Any, acme_saml: Connection, saml_idp: LocalSamlIdP, refusals: Any
) -> None:
    """The request id is used once server-side: a copy of the browser's cookie (stolen,
    or kept from before the ACS cleared it) does not make the response usable again."""
    session, request_id = started(live_server, saml_idp, "ana@example.com")
    stolen = session.cookies.get(SAML_COOKIE)
    assert stolen
    xml = saml_idp.response_xml(
        email="ana@example.com", acs_url=acs_url(live_server, acme_saml), in_response_to=request_id
    )
    assert post_response(session, acs_url(live_server, acme_saml), xml).status_code == 302
    assert session.cookies.get(SAML_COOKIE) is None  # cleared: single use

    attacker = requests.Session()
    attacker.cookies.set(SAML_COOKIE, stolen)
    assert_refused(
        post_response(attacker, acs_url(live_server, acme_saml), xml),
        live_server,
        attacker,
        why="sso.saml_unknown_request",
        events=refusals,
    )


def test_login_csrf_a_response_to_another_browser_s_request_is_refused(
    live_server: Any, acme: Any, acme_saml: Connection, saml_idp: LocalSamlIdP, refusals: Any
) -> None:
    """Login CSRF: Mallory starts a sign-in in her own browser, gets the IdP's signed
    response for her account and posts it from a page into the victim's browser, to
    sign the victim in as Mallory (and collect what they then type). The victim's
    browser never sent that request: refused, whether it has a sign-in of its own in
    flight or none at all."""
    mallory, mallory_request = started(live_server, saml_idp, "mallory@example.com")
    xml = saml_idp.response_xml(
        email="mallory@example.com",
        acs_url=acs_url(live_server, acme_saml),
        in_response_to=mallory_request,
    )
    victim_in_flight, _ = started(live_server, saml_idp, "victim@example.com")
    victim_idle = requests.Session()

    for victim in (victim_in_flight, victim_idle):
        assert_refused(
            post_response(victim, acs_url(live_server, acme_saml), xml),
            live_server,
            victim,
            why="sso.saml_request_other_browser",
            events=refusals,
        )
    assert not User.objects.filter(email="mallory@example.com").exists()
    # Mallory's own browser can still use it: the binding refused, nothing was spent.
    assert post_response(mallory, acs_url(live_server, acme_saml), xml).status_code == 302


def test_a_tampered_request_cookie_is_refused(
    live_server: Any, acme_saml: Connection, saml_idp: LocalSamlIdP, refusals: Any
) -> None:
    """The cookie is signed and bound to its connection: a forged or edited one names
    no request."""
    session, request_id = started(live_server, saml_idp, "ana@example.com")
    session.cookies.set(SAML_COOKIE, (session.cookies.get(SAML_COOKIE) or "") + "x")
    xml = saml_idp.response_xml(
        email="ana@example.com", acs_url=acs_url(live_server, acme_saml), in_response_to=request_id
    )

    assert_refused(
        post_response(session, acs_url(live_server, acme_saml), xml),
        live_server,
        session,
        why="sso.saml_request_other_browser",
        events=refusals,
    )
    assert "sso.saml_cookie_tampered" in refusals()


def test_a_replayed_assertion_is_refused_even_with_idp_initiated_sign_in_on(
    live_server: Any, acme_saml: Connection, saml_idp: LocalSamlIdP, refusals: Any
) -> None:
    acme_saml.saml_allow_idp_initiated = True
    acme_saml.save(update_fields=["saml_allow_idp_initiated"])
    xml = saml_idp.response_xml(
        email="ana@example.com", acs_url=acs_url(live_server, acme_saml), in_response_to=None
    )
    first = requests.Session()
    assert post_response(first, acs_url(live_server, acme_saml), xml).status_code == 302
    assert signed_in_as(live_server, first) is None  # not until confirmed (login CSRF)

    attacker = requests.Session()
    assert_refused(
        post_response(attacker, acs_url(live_server, acme_saml), xml),
        live_server,
        attacker,
        why="sso.saml_assertion_replayed",
        events=refusals,
    )


def test_an_unknown_in_response_to_is_refused(
    live_server: Any, acme_saml: Connection, saml_idp: LocalSamlIdP, refusals: Any
) -> None:
    session, _ = started(live_server, saml_idp, "ana@example.com")
    xml = saml_idp.response_xml(
        email="ana@example.com",
        acs_url=acs_url(live_server, acme_saml),
        in_response_to="_never-issued-by-pacetrack",
    )

    assert_refused(
        post_response(session, acs_url(live_server, acme_saml), xml),
        live_server,
        session,
        why="sso.saml_request_other_browser",
        events=refusals,
    )


def test_a_non_ascii_in_response_to_is_a_refusal_not_an_error(
    live_server: Any, acme_saml: Connection, saml_idp: LocalSamlIdP, refusals: Any
) -> None:
    session, _ = started(live_server, saml_idp, "ana@example.com")
    xml = saml_idp.response_xml(
        email="ana@example.com",
        acs_url=acs_url(live_server, acme_saml),
        in_response_to="_réponse-inconnue",
    )

    assert_refused(
        post_response(session, acs_url(live_server, acme_saml), xml),
        live_server,
        session,
        why="sso.saml_request_other_browser",
        events=refusals,
    )


def test_idp_initiated_sign_in_is_refused_while_it_is_off(
    live_server: Any, acme_saml: Connection, saml_idp: LocalSamlIdP, refusals: Any
) -> None:
    assert acme_saml.saml_allow_idp_initiated is False
    xml = saml_idp.response_xml(
        email="ana@example.com", acs_url=acs_url(live_server, acme_saml), in_response_to=None
    )
    session = requests.Session()

    response = post_response(session, acs_url(live_server, acme_saml), xml)

    assert_refused(
        response, live_server, session, why="sso.saml_unsolicited_refused", events=refusals
    )
    assert "started at the identity provider is off" in response.text


def test_a_name_id_on_an_unverified_domain_is_refused(
    live_server: Any, acme_saml: Connection, saml_idp: LocalSamlIdP
) -> None:
    session, request_id = started(live_server, saml_idp, "ana@example.com")
    xml = saml_idp.response_xml(
        email="boss@bank.example",
        acs_url=acs_url(live_server, acme_saml),
        in_response_to=request_id,
    )

    response = post_response(session, acs_url(live_server, acme_saml), xml)

    assert_refused(response, live_server, session)
    assert "not on a domain verified by" in response.text
    assert not User.objects.filter(email="boss@bank.example").exists()


@pytest.mark.parametrize("asserted", ["ana@example.com@example.com", "ana smith@example.com"])
def test_an_asserted_address_that_is_not_one_is_refused_not_a_server_error(
    live_server: Any, acme_saml: Connection, saml_idp: LocalSamlIdP, asserted: str
) -> None:
    """Attack found: an address on the verified domain that is no address (two "@")
    passed the domain check (the part after the last "@") and failed the account's
    validation with a 500."""
    session, request_id = started(live_server, saml_idp, "ana@example.com")
    xml = saml_idp.response_xml(
        email=asserted, acs_url=acs_url(live_server, acme_saml), in_response_to=request_id
    )

    response = post_response(session, acs_url(live_server, acme_saml), xml)

    assert_refused(response, live_server, session)
    assert "which is not an email address" in response.text
    assert not User.objects.filter(email__startswith="ana").exists()


@pytest.mark.parametrize(
    "relay_state",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"],
)
def test_an_off_site_relay_state_is_refused(
    live_server: Any, acme_saml: Connection, saml_idp: LocalSamlIdP, relay_state: str
) -> None:
    session, request_id = started(live_server, saml_idp, "ana@example.com")
    xml = saml_idp.response_xml(
        email="ana@example.com", acs_url=acs_url(live_server, acme_saml), in_response_to=request_id
    )

    response = post_response(session, acs_url(live_server, acme_saml), xml, relay_state)

    assert_refused(response, live_server, session)
