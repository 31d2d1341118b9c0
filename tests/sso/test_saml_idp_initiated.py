"""A sign-in started at the SAML IdP (an unsolicited Response), against the real pysaml2
IdP and the live server: it is verified as any other, then waits for its person to
press "Continue" on our page; only that same-site POST signs in.

The attack: an organisation turns IdP-initiated sign-in on for its own connection, its
IdP signs a Response for its own account (Eve), and any page auto-POSTs it to our ACS
from a victim's browser. Signed in at once, the victim used Pacetrack as Eve (and what
they typed or uploaded went to Eve's organisation), their own session replaced."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import requests
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from sso.models import Connection, OrgIdentity
from tests.accounts.factories import UserFactory
from tests.sso.saml_idp import LocalSamlIdP
from tests.sso.test_saml import acs_url, signed_in_as
from tests.sso.test_saml_reauth import cross_site_post, signed_in_with_password

pytestmark = [pytest.mark.xmlsec1, pytest.mark.django_db(transaction=True)]

EVE = "eve@example.com"  # Acme's own account: its IdP may sign for it
CONTINUE_COOKIE = "pacetrack-saml-continue"  # over http (sso.flow_cookie)


@pytest.fixture
def idp_initiated(acme_saml: Connection) -> Connection:
    acme_saml.saml_allow_idp_initiated = True
    acme_saml.save(update_fields=["saml_allow_idp_initiated"])
    return acme_saml


def unsolicited_post(
    live_server: Any, saml_idp: LocalSamlIdP, connection: Connection, browser: requests.Session
) -> requests.Response:
    """Eve's IdP signs a Response nobody asked for; a page POSTs it from `browser`."""
    acs = acs_url(live_server, connection)
    xml = saml_idp.response_xml(email=EVE, acs_url=acs, in_response_to=None)
    return cross_site_post(browser, acs, xml)


def confirmation(live_server: Any, browser: requests.Session) -> requests.Response:
    url = live_server.url + reverse("sso:saml-continue", kwargs={"tenant_id": _tenant_id()})
    return browser.get(url, allow_redirects=False, timeout=30)


def press_continue(
    live_server: Any, browser: requests.Session, page: str, **data: str
) -> requests.Response:
    """The page's Continue button: a same-site POST with the page's CSRF token (any page
    of ours has one, in its <meta>: a refused page's serves to try it all the same)."""
    url = live_server.url + reverse("sso:saml-continue", kwargs={"tenant_id": _tenant_id()})
    token = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert token is not None, page[:2000]
    return browser.post(
        url,
        data={"csrfmiddlewaretoken": token[1], **data},
        headers={"Referer": url},
        allow_redirects=False,
        timeout=30,
    )


def kept_sign_in(
    live_server: Any, saml_idp: LocalSamlIdP, connection: Connection
) -> tuple[requests.Session, str]:
    """A signed-out browser the unsolicited Response was posted from, and the
    confirmation page it was shown."""
    browser = requests.Session()
    unsolicited_post(live_server, saml_idp, connection, browser)
    return browser, confirmation(live_server, browser).text


def _tenant_id() -> int:
    return Connection.objects.get().tenant_id


def test_login_csrf_an_unsolicited_response_posted_cross_site_changes_nobody_s_session(
    live_server: Any, idp_initiated: Connection, saml_idp: LocalSamlIdP
) -> None:
    victim = UserFactory(email="victim@example.com")
    signed_in = signed_in_with_password(live_server, victim)
    signed_out = requests.Session()

    for browser in (signed_in, signed_out):
        unsolicited_post(live_server, saml_idp, idp_initiated, browser)

    assert signed_in_as(live_server, signed_in) == victim.email
    assert signed_in_as(live_server, signed_out) is None
    assert not User.objects.filter(email=EVE).exists()
    assert not OrgIdentity.objects.exists()


def test_the_confirmation_names_the_organisation_the_address_and_who_is_signed_in_now(
    live_server: Any, idp_initiated: Connection, saml_idp: LocalSamlIdP
) -> None:
    victim = UserFactory(email="victim@example.com")
    browser = signed_in_with_password(live_server, victim)
    unsolicited_post(live_server, saml_idp, idp_initiated, browser)

    page = confirmation(live_server, browser)

    assert page.status_code == 200
    assert f"Continue to Acme as {EVE}?" in page.text
    assert "You are signed in as victim@example.com; continuing signs you out of it." in page.text
    assert page.headers["X-Frame-Options"] == "DENY"  # no page of another site can press it
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert signed_in_as(live_server, browser) == victim.email


def test_continue_signs_in_as_the_idp_said_and_goes_where_it_asked(
    live_server: Any, acme: Any, idp_initiated: Connection, saml_idp: LocalSamlIdP
) -> None:
    browser = requests.Session()
    unsolicited_post(live_server, saml_idp, idp_initiated, browser)
    page = confirmation(live_server, browser)
    assert "You are signed in as" not in page.text

    response = press_continue(live_server, browser, page.text)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/t/{acme.slug}/"
    assert signed_in_as(live_server, browser) == EVE
    assert OrgIdentity.objects.filter(user__email=EVE).exists()


def test_a_cross_site_post_cannot_press_continue(
    live_server: Any, idp_initiated: Connection, saml_idp: LocalSamlIdP
) -> None:
    """The attacker's page can make the browser POST again, but without our CSRF token."""
    browser = requests.Session()
    unsolicited_post(live_server, saml_idp, idp_initiated, browser)
    confirmation(live_server, browser)
    url = live_server.url + reverse("sso:saml-continue", kwargs={"tenant_id": _tenant_id()})

    response = browser.post(url, data={}, allow_redirects=False, timeout=30)

    assert response.status_code == 403
    assert signed_in_as(live_server, browser) is None


def test_a_confirmation_is_used_once(
    live_server: Any, idp_initiated: Connection, saml_idp: LocalSamlIdP
) -> None:
    browser, page = kept_sign_in(live_server, saml_idp, idp_initiated)
    kept = browser.cookies.get(CONTINUE_COOKIE)
    assert press_continue(live_server, browser, page).status_code == 302

    again = requests.Session()  # the cookie kept from before the answer cleared it
    again.cookies.set(CONTINUE_COOKIE, kept)
    page_again = confirmation(live_server, again)
    again.cookies.set(CONTINUE_COOKIE, kept)  # the refused page cleared it in turn
    replayed = press_continue(live_server, again, page_again.text)

    assert page_again.status_code == 400 and EVE not in page_again.text
    assert replayed.status_code == 400
    assert signed_in_as(live_server, again) is None


def test_a_confirmation_expires_after_five_minutes(
    live_server: Any, idp_initiated: Connection, saml_idp: LocalSamlIdP
) -> None:
    browser, page = kept_sign_in(live_server, saml_idp, idp_initiated)

    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=False):
        response = press_continue(live_server, browser, page)

    assert response.status_code == 400
    assert "expired or was already used" in response.text
    assert signed_in_as(live_server, browser) is None
    assert not User.objects.filter(email=EVE).exists()


def test_another_browser_has_no_confirmation_to_press(
    live_server: Any, idp_initiated: Connection, saml_idp: LocalSamlIdP, refusals: Any
) -> None:
    """The kept sign-in is named by a cookie set in the browser the ACS answered."""
    browser = requests.Session()
    unsolicited_post(live_server, saml_idp, idp_initiated, browser)
    other = requests.Session()

    page = confirmation(live_server, other)
    response = press_continue(live_server, other, page.text)

    assert page.status_code == 400 and EVE not in page.text
    assert response.status_code == 400
    assert signed_in_as(live_server, other) is None
    assert "sso.saml_continue_unknown" in refusals()
    # The browser the ACS answered still has it.
    assert press_continue(live_server, browser, confirmation(live_server, browser).text).ok
    assert signed_in_as(live_server, browser) == EVE


def test_an_unsolicited_address_the_idp_cannot_vouch_for_is_refused_before_asking(
    live_server: Any, idp_initiated: Connection, saml_idp: LocalSamlIdP
) -> None:
    browser = requests.Session()
    acs = acs_url(live_server, idp_initiated)
    xml = saml_idp.response_xml(email="boss@bank.example", acs_url=acs, in_response_to=None)

    response = cross_site_post(browser, acs, xml)

    assert response.status_code == 400
    assert "not on a domain verified by" in response.text
    assert not browser.cookies.get(CONTINUE_COOKIE)


def test_the_page_names_the_account_continue_signs_in_not_the_address_beside_it(
    live_server: Any, acme: Any, idp_initiated: Connection, saml_idp: LocalSamlIdP
) -> None:
    """The IdP's subject linked to Eve, with the victim's own address beside it: the page
    read "Continue to Acme as victim@example.com?" without a warning, and Continue signed
    the victim in as Eve (the review of the first fix)."""
    eve = UserFactory(email=EVE)
    OrgIdentity.objects.create(tenant=acme, connection=idp_initiated, user=eve, subject=EVE)
    victim = UserFactory(email="victim@example.com")
    browser = signed_in_with_password(live_server, victim)
    acs = acs_url(live_server, idp_initiated)
    xml = saml_idp.response_xml(
        email=EVE, acs_url=acs, in_response_to=None, attributes={"email": [victim.email]}
    )
    cross_site_post(browser, acs, xml)

    page = confirmation(live_server, browser)

    assert f"Continue to Acme as {EVE}?" in page.text
    assert f"You are signed in as {victim.email}; continuing signs you out of it." in page.text
    assert press_continue(live_server, browser, page.text).status_code == 302
    assert signed_in_as(live_server, browser) == EVE  # whom the page named


def test_the_person_signed_in_is_not_warned_about_themselves(
    live_server: Any, idp_initiated: Connection, saml_idp: LocalSamlIdP
) -> None:
    """The warning compared the asserted address as typed: "Eve@Example.com" told Eve
    that continuing signs her out of eve@example.com."""
    eve = UserFactory(email=EVE)
    browser = signed_in_with_password(live_server, eve)
    acs = acs_url(live_server, idp_initiated)
    cross_site_post(
        browser,
        acs,
        saml_idp.response_xml(email="Eve@Example.com", acs_url=acs, in_response_to=None),
    )

    page = confirmation(live_server, browser)

    assert page.status_code == 200 and f"as {EVE}?" in page.text
    assert "You are signed in as" not in page.text


def test_it_wasnt_me_forgets_the_kept_sign_in(
    live_server: Any, idp_initiated: Connection, saml_idp: LocalSamlIdP
) -> None:
    """It was a link home: Back, on a shared computer, still offered Continue as Eve."""
    browser, page = kept_sign_in(live_server, saml_idp, idp_initiated)
    kept = browser.cookies.get(CONTINUE_COOKIE)

    declined = press_continue(live_server, browser, page, decline="1")
    browser.cookies.set(CONTINUE_COOKIE, kept)  # Back, with the cookie as it was
    back = confirmation(live_server, browser)
    browser.cookies.set(CONTINUE_COOKIE, kept)
    pressed = press_continue(live_server, browser, page)

    assert declined.status_code == 302 and declined.headers["Location"] == "/"
    assert back.status_code == 400 and pressed.status_code == 400
    assert signed_in_as(live_server, browser) is None
    assert not User.objects.filter(email=EVE).exists()


def test_turned_off_meanwhile_a_kept_sign_in_no_longer_signs_in(
    live_server: Any, idp_initiated: Connection, saml_idp: LocalSamlIdP
) -> None:
    """An owner who saw it abused turns IdP-initiated sign-in off: what was kept in the
    five minutes before does not sign in after."""
    browser, page = kept_sign_in(live_server, saml_idp, idp_initiated)
    Connection.objects.filter(pk=idp_initiated.pk).update(saml_allow_idp_initiated=False)

    response = press_continue(live_server, browser, page)

    assert response.status_code == 400
    assert "no longer accepts sign-ins started at its identity provider" in response.text
    assert signed_in_as(live_server, browser) is None


def test_a_link_to_the_confirmation_page_leaves_a_re_authentication_under_way_alone(
    live_server: Any, idp_initiated: Connection, saml_idp: LocalSamlIdP
) -> None:
    """Both flows shared one cookie: a top-level link to the confirmation page (the Lax
    cookie is sent) cleared the one naming a re-authentication or test in progress."""
    browser = requests.Session()
    browser.cookies.set("pacetrack-saml-finish", "a-reauth-under-way")

    confirmation(live_server, browser)

    assert browser.cookies.get("pacetrack-saml-finish") == "a-reauth-under-way"
