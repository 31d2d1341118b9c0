"""Re-authentication and "Test connection" through a SAML IdP, against the real pysaml2
IdP on loopback and the live server.

The IdP's Response is a cross-site POST: in production the session cookie
(SameSite=Lax) does not come with it, only the SAML request cookie (SameSite=None).
`cross_site_post` sends exactly that. The ACS verifies the Response as for a sign-in
and hands the outcome over to a same-site GET, the finish view, where the session is
back; these tests perform the attacks on that hand-over and show them refused."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import requests
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.models import AuditEvent
from sso.models import Connection, OrgIdentity
from tests.sso.saml_idp import LocalSamlIdP, post_response
from tests.sso.test_saml import SAML_COOKIE, acs_url, signed_in_as, started

pytestmark = [pytest.mark.xmlsec1, pytest.mark.django_db(transaction=True)]

PROTECTED = "/account/security/authenticator/"  # mfa:totp-setup, @reauth_required
FINISH_COOKIE = "pacetrack-saml-finish"  # over http (sso.flow_cookie)


def later(minutes: int = 20) -> Any:
    return time_machine.travel(timezone.now() + timedelta(minutes=minutes), tick=False)


def signed_in_by_saml(
    live_server: Any, saml_idp: LocalSamlIdP, connection: Connection, email: str
) -> requests.Session:
    """A browser signed in through the IdP (SP-initiated), as `email`."""
    session, request_id = started(live_server, saml_idp, email)
    xml = saml_idp.response_xml(
        email=email, acs_url=acs_url(live_server, connection), in_response_to=request_id
    )
    assert post_response(session, acs_url(live_server, connection), xml).status_code == 302
    assert signed_in_as(live_server, session) == email
    return session


def _form_post(session: requests.Session, live_server: Any, page: str, action: str, **data: str):  # type: ignore[no-untyped-def]
    """Press a POST button found on `page` (its CSRF token read from the page)."""
    html = session.get(live_server.url + page, timeout=30).text
    assert f'action="{action}"' in html, html[:2000]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token is not None
    return session.post(
        live_server.url + action,
        data={"csrfmiddlewaretoken": token[1], **data},
        headers={"Referer": live_server.url + page},
        allow_redirects=False,
        timeout=30,
    )


def confirm_with_sso(live_server: Any, session: requests.Session, connection: Connection) -> str:
    """The prompt in front of PROTECTED, and its "Confirm with Acme SSO": the IdP URL."""
    prompt = session.get(live_server.url + PROTECTED, allow_redirects=False, timeout=30)
    assert prompt.status_code == 302, "the action should ask for a recent authentication"
    response = _form_post(
        session,
        live_server,
        prompt.headers["Location"],
        reverse("sso:reauth", args=[connection.pk]),
        next=PROTECTED,
    )
    assert response.status_code == 200, response.text[:500]
    return response.headers["Refresh"].split("url=", 1)[1]


def cross_site_post(session: requests.Session, acs: str, xml: str) -> requests.Response:
    """The IdP's auto-submitted form as a browser sends it across sites in production:
    the SAML request cookie (SameSite=None) comes along, the session cookie (Lax) does
    not. The cookies the answer sets land in `session`, as in the browser."""
    cross = requests.Session()
    cross.cookies.set(SAML_COOKIE, session.cookies.get(SAML_COOKIE))
    response = post_response(cross, acs, xml)
    session.cookies.set(SAML_COOKIE, None)  # the ACS clears it, whatever it answers
    for cookie in response.cookies:
        session.cookies.set_cookie(cookie)
    return response


def put_cookie(session: requests.Session, name: str, value: str | None) -> None:
    """Replace `name` in this browser (as someone editing or copying cookies would)."""
    session.cookies.set(name, None)
    session.cookies.set(name, value)


def idp_answers(
    live_server: Any,
    saml_idp: LocalSamlIdP,
    connection: Connection,
    session: requests.Session,
    idp_url: str,
    email: str,
    attributes: dict[str, list[str]] | None = None,
) -> requests.Response:
    """The IdP signs `email` in for the request in `idp_url`; the ACS's answer."""
    request_id, relay_state = saml_idp.authn_request_id(idp_url)
    assert relay_state == ""  # where to go on stays in the signed cookie, not at the IdP
    xml = saml_idp.response_xml(
        email=email,
        acs_url=acs_url(live_server, connection),
        in_response_to=request_id,
        attributes=attributes,
    )
    response = cross_site_post(session, acs_url(live_server, connection), xml)
    assert response.status_code == 302, response.text[:500]
    finish = reverse("sso:saml-finish", kwargs={"tenant_id": connection.tenant_id})
    assert response.headers["Location"] == finish
    assert settings.SESSION_COOKIE_NAME not in response.cookies  # nobody signed in here
    return response


def finish(live_server: Any, session: requests.Session, ack: requests.Response) -> Any:
    """The top-level GET the ACS's redirect makes (same-site: the session comes along)."""
    return session.get(live_server.url + ack.headers["Location"], allow_redirects=False, timeout=30)


def asks_again(live_server: Any, session: requests.Session) -> bool:
    response = session.get(live_server.url + PROTECTED, allow_redirects=False, timeout=30)
    return response.status_code == 302


# --- re-authentication -----------------------------------------------------------------


def test_a_saml_member_confirms_a_sensitive_action_at_the_idp(
    live_server: Any, acme_saml: Connection, saml_idp: LocalSamlIdP
) -> None:
    session = signed_in_by_saml(live_server, saml_idp, acme_saml, "nadia@example.com")
    with later():
        idp_url = confirm_with_sso(live_server, session, acme_saml)

        ack = idp_answers(live_server, saml_idp, acme_saml, session, idp_url, "nadia@example.com")
        response = finish(live_server, session, ack)

        assert response.status_code == 302 and response.headers["Location"] == PROTECTED
        assert not asks_again(live_server, session)
        assert signed_in_as(live_server, session) == "nadia@example.com"
        assert FINISH_COOKIE not in session.cookies  # single use: cleared


def test_another_person_s_assertion_does_not_confirm_the_session(
    live_server: Any, acme_saml: Connection, saml_idp: LocalSamlIdP, refusals: Any
) -> None:
    """Someone at Nadia's unlocked computer signs in at the IdP as themselves (a
    colleague, also a member) to pass the "confirm it's you" step: refused, and the
    session stays Nadia's, still asking."""
    signed_in_by_saml(live_server, saml_idp, acme_saml, "mallory@example.com")
    session = signed_in_by_saml(live_server, saml_idp, acme_saml, "nadia@example.com")
    with later():
        idp_url = confirm_with_sso(live_server, session, acme_saml)

        ack = idp_answers(live_server, saml_idp, acme_saml, session, idp_url, "mallory@example.com")
        response = finish(live_server, session, ack)

        assert response.status_code == 400
        assert "not the one connected to you" in response.text
        assert "sso.saml_reauth_other_identity" in refusals()
        assert asks_again(live_server, session)
        assert signed_in_as(live_server, session) == "nadia@example.com"


def test_an_assertion_for_a_stranger_neither_confirms_nor_provisions(
    live_server: Any, acme_saml: Connection, saml_idp: LocalSamlIdP
) -> None:
    session = signed_in_by_saml(live_server, saml_idp, acme_saml, "nadia@example.com")
    with later():
        idp_url = confirm_with_sso(live_server, session, acme_saml)
        ack = idp_answers(live_server, saml_idp, acme_saml, session, idp_url, "new@example.com")

        assert finish(live_server, session, ack).status_code == 400
        assert asks_again(live_server, session)
    assert not User.objects.filter(email="new@example.com").exists()


def test_a_replayed_finish_is_refused(
    live_server: Any, acme_saml: Connection, saml_idp: LocalSamlIdP, refusals: Any
) -> None:
    """The outcome is taken once: the finish cookie presented again (kept from before
    the finish view cleared it) finds nothing."""
    session = signed_in_by_saml(live_server, saml_idp, acme_saml, "nadia@example.com")
    with later():
        idp_url = confirm_with_sso(live_server, session, acme_saml)
        ack = idp_answers(live_server, saml_idp, acme_saml, session, idp_url, "nadia@example.com")
        kept = session.cookies.get(FINISH_COOKIE)
        assert finish(live_server, session, ack).status_code == 302

        put_cookie(session, FINISH_COOKIE, kept)
        replayed = finish(live_server, session, ack)

        assert replayed.status_code == 400
        assert "expired or was already used" in replayed.text
        assert "sso.saml_finish_unknown" in refusals()


def test_an_expired_finish_is_refused(
    live_server: Any, acme_saml: Connection, saml_idp: LocalSamlIdP, refusals: Any
) -> None:
    """The outcome waits a minute for its finish: a browser coming back later (a page
    left open, a redirect replayed from history) starts again."""
    session = signed_in_by_saml(live_server, saml_idp, acme_saml, "nadia@example.com")
    with later():
        idp_url = confirm_with_sso(live_server, session, acme_saml)
        ack = idp_answers(live_server, saml_idp, acme_saml, session, idp_url, "nadia@example.com")

    with later(minutes=22):
        response = finish(live_server, session, ack)

        assert response.status_code == 400
        assert "sso.saml_finish_unknown" in refusals()
        assert asks_again(live_server, session)


def test_a_finish_in_another_session_of_the_same_person_is_refused(
    live_server: Any, acme_saml: Connection, saml_idp: LocalSamlIdP, refusals: Any
) -> None:
    """The outcome is bound to the session that started the confirmation: the finish
    cookie carried into another session, even the same person's (a stolen session
    cookie elsewhere, say), confirms neither. Taken once, it is gone for both."""
    session = signed_in_by_saml(live_server, saml_idp, acme_saml, "nadia@example.com")
    other = signed_in_by_saml(live_server, saml_idp, acme_saml, "nadia@example.com")
    with later():
        idp_url = confirm_with_sso(live_server, session, acme_saml)
        ack = idp_answers(live_server, saml_idp, acme_saml, session, idp_url, "nadia@example.com")
        put_cookie(other, FINISH_COOKIE, session.cookies.get(FINISH_COOKIE))

        response = finish(live_server, other, ack)

        assert response.status_code == 400
        assert "sso.saml_finish_other_session" in refusals()
        assert asks_again(live_server, other)
        assert finish(live_server, session, ack).status_code == 400
        assert asks_again(live_server, session)


def test_a_finish_in_another_browser_is_refused(
    live_server: Any, acme_saml: Connection, saml_idp: LocalSamlIdP, refusals: Any
) -> None:
    """The finish URL alone names nothing: another browser (no finish cookie), signed
    in or not, gets a refusal, and the outcome still waits for its own browser."""
    session = signed_in_by_saml(live_server, saml_idp, acme_saml, "nadia@example.com")
    mallory = signed_in_by_saml(live_server, saml_idp, acme_saml, "mallory@example.com")
    with later():
        idp_url = confirm_with_sso(live_server, session, acme_saml)
        ack = idp_answers(live_server, saml_idp, acme_saml, session, idp_url, "nadia@example.com")

        for browser in (mallory, requests.Session()):
            assert finish(live_server, browser, ack).status_code == 400
        assert "sso.saml_finish_unknown" in refusals()
        assert asks_again(live_server, mallory)

        assert finish(live_server, session, ack).status_code == 302
        assert not asks_again(live_server, session)


def test_a_tampered_finish_cookie_is_refused(
    live_server: Any, acme_saml: Connection, saml_idp: LocalSamlIdP, refusals: Any
) -> None:
    session = signed_in_by_saml(live_server, saml_idp, acme_saml, "nadia@example.com")
    with later():
        idp_url = confirm_with_sso(live_server, session, acme_saml)
        ack = idp_answers(live_server, saml_idp, acme_saml, session, idp_url, "nadia@example.com")
        put_cookie(session, FINISH_COOKIE, (session.cookies.get(FINISH_COOKIE) or "") + "x")

        assert finish(live_server, session, ack).status_code == 400
        assert "sso.saml_finish_cookie_tampered" in refusals()
        assert asks_again(live_server, session)


def test_a_reauth_response_posted_into_another_browser_is_refused_at_the_acs(
    live_server: Any, acme_saml: Connection, saml_idp: LocalSamlIdP, refusals: Any
) -> None:
    """The ACS checks a confirmation's Response exactly like a sign-in's: bound to the
    browser whose request it answers (login CSRF), so it is refused before any hand-over."""
    session = signed_in_by_saml(live_server, saml_idp, acme_saml, "nadia@example.com")
    with later():
        idp_url = confirm_with_sso(live_server, session, acme_saml)
        request_id, _ = saml_idp.authn_request_id(idp_url)
        xml = saml_idp.response_xml(
            email="nadia@example.com",
            acs_url=acs_url(live_server, acme_saml),
            in_response_to=request_id,
        )
        other = requests.Session()

        response = post_response(other, acs_url(live_server, acme_saml), xml)

        assert response.status_code == 400
        assert "sso.saml_request_other_browser" in refusals()
        assert FINISH_COOKIE not in response.cookies


# --- "Test connection" -----------------------------------------------------------------


def signed_in_with_password(live_server: Any, user: Any) -> requests.Session:
    """A browser holding a session of `user` (made by Django's test client)."""
    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.cookies.set(
        settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value
    )
    return session


def test_test_connection_shows_the_attributes_and_the_mapping_and_signs_nobody_in(
    live_server: Any, acme: Any, owner: Any, acme_saml: Connection, saml_idp: LocalSamlIdP
) -> None:
    session = signed_in_with_password(live_server, owner)
    sso_page = reverse("sso_settings:connection", kwargs={"tenant_slug": acme.slug})
    test_url = reverse("sso_settings:connection-test", kwargs={"tenant_slug": acme.slug})
    leaving = _form_post(session, live_server, sso_page, test_url)
    assert leaving.status_code == 200, leaving.text[:500]

    ack = idp_answers(
        live_server,
        saml_idp,
        acme_saml,
        session,
        leaving.headers["Refresh"].split("url=", 1)[1],
        "tess@example.com",
        attributes={"email": ["tess@example.com"], "firstName": ["Tess"], "lastName": ["Ito"]},
    )
    response = finish(live_server, session, ack)

    assert response.status_code == 200, response.text[:500]
    page = response.text
    assert 'data-testid="saml-attributes"' in page
    assert "firstName" in page and "Tess" in page
    assert "Tess Ito" in page  # the mapped name
    assert "would be signed in" in page  # example.com is verified by Acme
    assert signed_in_as(live_server, session) == owner.email  # still the owner
    assert not User.objects.filter(email="tess@example.com").exists()
    assert not OrgIdentity.objects.filter(subject="tess@example.com").exists()
    assert AuditEvent.objects.filter(tenant=acme, action="sso.connection_tested").exists()
    acme_saml.refresh_from_db()
    assert acme_saml.last_tested_at is not None


def test_a_test_result_is_shown_only_in_the_session_that_started_it(
    live_server: Any, acme: Any, owner: Any, acme_saml: Connection, saml_idp: LocalSamlIdP
) -> None:
    session = signed_in_with_password(live_server, owner)
    sso_page = reverse("sso_settings:connection", kwargs={"tenant_slug": acme.slug})
    test_url = reverse("sso_settings:connection-test", kwargs={"tenant_slug": acme.slug})
    leaving = _form_post(session, live_server, sso_page, test_url)
    ack = idp_answers(
        live_server,
        saml_idp,
        acme_saml,
        session,
        leaving.headers["Refresh"].split("url=", 1)[1],
        "tess@example.com",
    )
    other = signed_in_with_password(live_server, owner)
    put_cookie(other, FINISH_COOKIE, session.cookies.get(FINISH_COOKIE))

    response = finish(live_server, other, ack)

    assert response.status_code == 400
    assert "tess@example.com" not in response.text
    assert not AuditEvent.objects.filter(tenant=acme, action="sso.connection_tested").exists()
