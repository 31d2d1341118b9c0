"""SAML in Chromium: SP-initiated sign-in (email-first page, the IdP on loopback, the
signed response POSTed to the ACS, the new member lands in the organisation), and
re-authentication at an IdP on another site, where SameSite cookies are real."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.models import User
from sso.models import Connection
from sso.services_saml import saml_connection_save, saml_metadata_refresh_all
from tenants.models import Membership, Role
from tests.config.pagecheck import PageWatch
from tests.core.browser import sign_in
from tests.mfa.helpers import age_sign_in
from tests.sso.dns_server import LocalDNS
from tests.sso.saml_idp import LocalSamlIdP, SamlIdPServer
from tests.sso.test_saml import acs_url, metadata_path, verified_domain
from tests.sso.test_saml_metadata_url import MetadataServer

pytestmark = [pytest.mark.browser, pytest.mark.xmlsec1, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def saml_idp_server() -> Iterator[SamlIdPServer]:
    """On the live server's site (localhost): over plain http the cookie binding the
    AuthnRequest to this browser is SameSite=Lax, which a cross-site POST does not
    carry (in production it is Secure and SameSite=None)."""
    server = SamlIdPServer(host="localhost").start()
    yield server
    server.stop()


def test_continue_with_sso_signs_in_through_the_saml_idp_into_the_organisation(
    _browser: Any,
    live_server: Any,
    acme: Any,
    owner: Any,
    dns_server: LocalDNS,
    saml_idp_server: SamlIdPServer,
) -> None:
    verified_domain(acme, owner, dns_server)
    connection = saml_connection_save(
        tenant=acme,
        acting_user=owner,
        idp_metadata=saml_idp_server.idp.metadata,
        default_role=Role.objects.get(tenant=acme, key="member"),
        require_sso=False,
        auto_join=False,
    )
    saml_idp_server.idp.trust(live_server.url + metadata_path(connection))
    saml_idp_server.acs_url = acs_url(live_server, connection)
    saml_idp_server.email = "sam@example.com"
    context = _browser.new_context(base_url=live_server.url)
    try:
        page = context.new_page()
        page.goto("/auth/sso/")
        page.get_by_label("Work email").fill("Sam@Example.com")
        page.get_by_role("button", name="Continue", exact=True).click()
        page.get_by_role("button", name="Sign in at the IdP").click()

        page.wait_for_url(f"**/t/{acme.slug}/")
        assert "Acme" in page.content()
        # The cookie binding the request to this browser was used once and cleared.
        assert not [c for c in context.cookies() if c["name"].endswith("pacetrack-saml")]
    finally:
        context.close()

    user = User.objects.get(email="sam@example.com")
    assert Membership.objects.get(tenant=acme, user=user).role.key == "member"


@pytest.mark.parametrize("width", [1280, 360])
def test_the_sso_page_with_a_saml_connection_meets_the_quality_bar(
    _browser: Any, live_server: Any, acme: Any, owner: Any, width: int
) -> None:
    """The certificate, entity id and ACS URL fit a phone; no CSP, console or axe fault."""
    saml_connection_save(
        tenant=acme,
        acting_user=owner,
        idp_metadata=LocalSamlIdP().metadata,
        default_role=Role.objects.get(tenant=acme, key="member"),
        require_sso=False,
        auto_join=False,
    )
    context = _browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}
    )
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        watch = PageWatch.attach(page)
        sign_in(page, owner.email)
        problems = watch.check(f"/t/{acme.slug}/settings/sso/")
        assert page.get_by_test_id("saml-certificate").is_visible()
    finally:
        context.close()

    assert not problems


PROTECTED = "/account/security/authenticator/"  # mfa:totp-setup, @reauth_required


@pytest.fixture
def cross_site_idp(
    acme: Any, owner: Any, dns_server: LocalDNS, live_server: Any, settings: Any
) -> Iterator[SamlIdPServer]:
    """As in production: Secure cookies (Chromium treats http://localhost as a secure
    origin), Acme's IdP on another site (127.0.0.1, the app being on localhost) and the
    session cookie SameSite=Lax: the IdP's POST to the ACS carries the SAML request
    cookie (SameSite=None) but not the session. The IdP signs in sam@example.com."""
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    server = SamlIdPServer(host="127.0.0.1").start()
    verified_domain(acme, owner, dns_server)
    connection = saml_connection_save(
        tenant=acme,
        acting_user=owner,
        idp_metadata=server.idp.metadata,
        default_role=Role.objects.get(tenant=acme, key="member"),
        require_sso=False,
        auto_join=False,
    )
    server.idp.trust(live_server.url + metadata_path(connection))
    server.acs_url = acs_url(live_server, connection)
    server.email = "sam@example.com"
    yield server
    server.stop()


def _signed_in_by_saml(page: Any, acme: Any) -> None:
    page.goto("/auth/sso/")
    page.get_by_label("Work email").fill("sam@example.com")
    page.get_by_role("button", name="Continue", exact=True).click()
    page.get_by_role("button", name="Sign in at the IdP").click()
    page.wait_for_url(f"**/t/{acme.slug}/")
    age_sign_in(User.objects.get(email="sam@example.com"), minutes=20)


def test_a_saml_member_confirms_a_sensitive_action_at_a_cross_site_idp(
    browser_context: Any, acme: Any, cross_site_idp: SamlIdPServer, settings: Any
) -> None:
    """The re-authentication completes on the same-site GET the ACS redirects to."""
    page = browser_context.new_page()
    _signed_in_by_saml(page, acme)

    page.goto(PROTECTED)
    page.get_by_role("button", name="Confirm with Acme SSO").click()
    with page.expect_request("**/acs/") as posted:
        page.get_by_role("button", name="Sign in at the IdP").click()
    page.wait_for_url(f"**{PROTECTED}")

    assert page.get_by_role("heading", name="Set up an authenticator app").is_visible()
    sent = posted.value.header_value("cookie") or ""
    assert "pacetrack-saml=" in sent  # the request cookie crossed sites
    assert settings.SESSION_COOKIE_NAME not in sent  # the session did not
    names = {c["name"] for c in browser_context.cookies()}
    assert not {n for n in names if "pacetrack-saml" in n}  # both used once


def test_a_colleague_s_idp_account_does_not_confirm_in_the_browser(
    browser_context: Any, acme: Any, cross_site_idp: SamlIdPServer
) -> None:
    page = browser_context.new_page()
    _signed_in_by_saml(page, acme)
    cross_site_idp.email = "mallory@example.com"  # at the IdP now: someone else

    page.goto(PROTECTED)
    page.get_by_role("button", name="Confirm with Acme SSO").click()
    page.get_by_role("button", name="Sign in at the IdP").click()
    page.wait_for_url("**/finish/")

    assert "not the one connected to you" in page.content()
    page.goto(PROTECTED)
    assert page.get_by_role("heading", name="Confirm it's you").is_visible()


def test_an_owner_tests_the_saml_connection_and_reads_the_attributes_on_a_phone(
    _browser: Any, live_server: Any, acme: Any, owner: Any, cross_site_idp: SamlIdPServer
) -> None:
    """The result page meets the quality bar (no overflow at 390 px, no CSP or axe
    fault) and the owner is still themselves afterwards."""
    context = _browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        watch = PageWatch.attach(page)
        sign_in(page, owner.email)
        page.goto(f"/t/{acme.slug}/settings/sso/")
        page.get_by_role("button", name="Test connection").click()
        page.get_by_role("button", name="Sign in at the IdP").click()
        page.wait_for_url("**/finish/")

        attributes = page.get_by_test_id("saml-attributes")
        assert "sam@example.com" in attributes.inner_text()
        assert page.get_by_text("would be signed in").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert not page.evaluate("window.__cspViolations")
        assert not watch.axe()
        page.goto("/account/")
        assert owner.email in page.content()
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 360])
def test_an_owner_sees_the_metadata_url_failing_and_refreshes_it_once_fixed(
    _browser: Any, live_server: Any, acme: Any, owner: Any, settings: Any, width: int
) -> None:
    """The daily read failed (the IdP answers a sign-in page): the settings page says
    since when and why, fits a phone, and one press of Refresh after the fix ends it."""
    settings.SSO_METADATA_ALLOW_PRIVATE = True  # the IdP's metadata served on loopback
    served = MetadataServer(body=LocalSamlIdP().metadata.encode())
    context = _browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}
    )
    context.set_default_timeout(10_000)
    try:
        saml_connection_save(
            tenant=acme,
            acting_user=owner,
            idp_metadata="",
            idp_metadata_url=served.url(),
            default_role=Role.objects.get(tenant=acme, key="member"),
            require_sso=False,
            auto_join=False,
        )
        served.body = b"<html>Sign in to continue</html>"
        saml_metadata_refresh_all()  # the daily job's work
        page = context.new_page()
        watch = PageWatch.attach(page)
        sign_in(page, owner.email)

        assert watch.check(f"/t/{acme.slug}/settings/sso/") == []
        notice = page.get_by_test_id("saml-metadata-failing")
        expect(notice).to_contain_text("The identity provider's metadata could not be read.")
        expect(notice).to_contain_text("describes no identity provider")

        served.body = LocalSamlIdP().metadata.encode()  # the IdP fixed
        page.get_by_role("button", name="Refresh metadata").click()

        expect(page.get_by_text("metadata is refreshed from its URL")).to_be_visible()
        expect(page.get_by_test_id("saml-metadata-failing")).to_have_count(0)
    finally:
        context.close()
        served.stop()


@pytest.mark.parametrize("width", [1280, 360])
def test_metadata_over_the_limit_is_refused_before_it_is_sent_and_the_form_is_kept(
    page: Any, acme: Any, owner: Any, width: int, settings: Any
) -> None:
    """The metadata field knows its limit: a file over it is refused beside the field,
    nothing is posted, and what was typed in the other fields stays for the next try."""
    settings.SSO_METADATA_MAX_BYTES = 100 * 1024
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, owner.email)
    assert watch.check(f"/t/{acme.slug}/settings/sso/") == []
    posts: list[str] = []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.url))
    groups = page.get_by_label("Groups attribute")
    groups.fill("memberOf")
    field = page.get_by_label("IdP metadata XML file")
    big = "<!-- " + "x" * 300_000 + " -->"

    field.set_input_files([{"name": "okta.xml", "mimeType": "text/xml", "buffer": big.encode()}])

    error = page.locator("#saml_idp_metadata_file_error")
    expect(error).to_have_text("“\u2068okta.xml\u2069”: This file is 0.3 MB; the limit is 0.1 MB.")
    expect(field).to_have_attribute("aria-invalid", "true")
    assert field.input_value() == ""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert watch.axe() == []
    metadata = LocalSamlIdP().metadata.encode()

    field.set_input_files([{"name": "okta.xml", "mimeType": "text/xml", "buffer": metadata}])

    expect(error).to_have_count(0)
    assert posts == [] and not Connection.objects.exists()
    expect(groups).to_have_value("memberOf")
    page.get_by_role("button", name="Save SAML connection").click()
    page.get_by_text("The SAML connection is saved.").wait_for()
    assert Connection.objects.get(tenant=acme).saml_attr_groups == "memberOf"
