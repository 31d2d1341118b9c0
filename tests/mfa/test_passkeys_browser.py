"""Passkeys in a real browser: Chromium's virtual authenticator (DevTools protocol,
WebAuthn domain) plays the phone; the server verifies with py_webauthn, nothing mocked."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from mfa.models import Passkey, TrustedBrowser
from sessions_app.models import Session
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.conftest import INSECURE_HOST
from tests.mfa.helpers import age_sign_in, enable_totp
from tests.mfa.test_browser import sign_in_with_password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _relying_party(settings: Any, live_server: Any) -> None:
    settings.MFA_WEBAUTHN_RP_ID = "localhost"
    settings.MFA_WEBAUTHN_ORIGINS = [live_server.url]


def virtual_authenticator(page: Any) -> tuple[Any, str]:
    """A platform authenticator with resident keys and a fingerprint that always matches."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def add_passkey(page: Any, name: str) -> None:
    page.goto("/account/security/")
    page.locator("#passkeys").get_by_role("link", name="Add a passkey").click()
    page.get_by_label("Name").fill(name)
    page.get_by_role("button", name="Create passkey").click()


def signed_in_with_a_new_passkey(page: Any) -> Any:
    """A new person signed in with their password who has just added a passkey
    ("Laptop", on a virtual authenticator): their first method, so the recovery codes
    page shows."""
    user = UserFactory()
    virtual_authenticator(page)
    sign_in_with_password(page, user.email)
    page.wait_for_url("**/t/**")
    add_passkey(page, "Laptop")
    page.get_by_role("heading", name="Save your recovery codes").wait_for()
    return user


def sign_out(page: Any) -> None:
    page.context.clear_cookies()


def hold_presence(cdp: Any, authenticator: str, *, present: bool) -> None:
    """Whether touching the authenticator succeeds at once. Off while a page loads keeps
    Chromium from answering the sign-in page's passkey autofill by itself."""
    cdp.send(
        "WebAuthn.setAutomaticPresenceSimulation",
        {"authenticatorId": authenticator, "enabled": present},
    )


def test_register_sign_in_without_a_password_then_remove(page: Any) -> None:
    user = UserFactory()
    cdp, authenticator = virtual_authenticator(page)
    sign_in_with_password(page, user.email)
    page.wait_for_url("**/t/**")

    add_passkey(page, "Test laptop")
    page.get_by_role("heading", name="Save your recovery codes").wait_for()  # the first method
    [credential] = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})[
        "credentials"
    ]
    assert credential["isResidentCredential"]
    passkey = Passkey.objects.get(user=user)
    assert passkey.name == "Test laptop"

    sign_out(page)
    # A browser without passkey autofill (conditional mediation), so that the button is
    # the only way in: with autofill offered, Chromium's virtual authenticator may answer
    # the page's pending autofill request by itself before the click lands (the autofill
    # path has its own test).
    page.add_init_script(
        "PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false);"
    )
    page.goto("/auth/sign-in/")
    page.get_by_role("button", name="Continue with a passkey").click()
    page.wait_for_url("**/t/**")
    row = Session.objects.filter(user=user, revoked_at__isnull=True).latest("created_at")
    assert row.factors == ["Passkey"]
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None

    page.goto("/account/security/")
    assert "Test laptop" in page.get_by_test_id("passkey-list").inner_text()
    page.locator(f"#passkey-{passkey.pk}").get_by_role("button", name="Remove").click()
    page.locator("#confirm-dialog").get_by_role("button", name="Remove passkey").click()
    page.get_by_text("Passkey removed.").wait_for()
    assert not Passkey.objects.filter(user=user).exists()


def test_a_passkey_as_the_second_factor_after_the_password(page: Any) -> None:
    user, cdp, authenticator, _ = passkey_person(page)

    hold_presence(cdp, authenticator, present=False)
    sign_in_with_password(page, user.email)
    page.wait_for_url("**/auth/sign-in/verify/")
    hold_presence(cdp, authenticator, present=True)
    page.get_by_role("button", name="Use a passkey").click()
    page.wait_for_url("**/t/**")

    row = Session.objects.filter(user=user, revoked_at__isnull=True).latest("created_at")
    assert row.factors == ["Password", "Passkey"]


def test_the_email_field_offers_the_passkey_and_signs_in_with_it(page: Any) -> None:
    """The email field asks the browser for passkey autofill (conditional mediation)."""
    user = signed_in_with_a_new_passkey(page)
    sign_out(page)

    # Nothing is clicked: Chromium's virtual authenticator picks the autofill entry itself.
    page.goto("/auth/sign-in/")

    page.wait_for_url("**/t/**")
    row = Session.objects.filter(user=user, revoked_at__isnull=True).latest("created_at")
    assert row.factors == ["Passkey"]


def test_a_cancelled_ceremony_leaves_the_password_form_working(page: Any) -> None:
    user = UserFactory()
    cdp, authenticator = virtual_authenticator(page)
    cdp.send(
        "WebAuthn.setUserVerified", {"authenticatorId": authenticator, "isUserVerified": False}
    )
    page.goto("/auth/sign-in/")
    page.get_by_role("button", name="Continue with a passkey").click()

    page.get_by_text("No passkey was used").wait_for()
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url("**/t/**")


def test_at_an_ip_address_the_page_says_why_passkeys_cannot_work(
    page: Any, settings: Any, live_server: Any
) -> None:
    """Browsers refuse a passkey whose relying party is an IP address (the quick start
    used to serve http://127.0.0.1:8000): the page says the address is the problem
    instead of "No passkey was used"."""
    port = live_server.url.rsplit(":", 1)[1]
    settings.MFA_WEBAUTHN_RP_ID = "127.0.0.1"
    settings.MFA_WEBAUTHN_ORIGINS = [f"http://127.0.0.1:{port}"]
    user = UserFactory()
    virtual_authenticator(page)
    page.goto(f"http://127.0.0.1:{port}/auth/sign-in/")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url("**/t/**")

    page.goto(f"http://127.0.0.1:{port}/account/security/passkeys/add/")
    page.get_by_label("Name").fill("Laptop")
    page.get_by_role("button", name="Create passkey").click()

    error = page.locator("[data-passkey-error]")
    error.get_by_text("Passkeys do not work at this address").wait_for()
    assert not Passkey.objects.filter(user=user).exists()


def test_an_htmx_action_asked_after_a_while_is_confirmed_with_the_passkey(page: Any) -> None:
    """The re-authentication dialog arrives by htmx after the page has loaded: its
    "Confirm with a passkey" must show there too, not only on a full page."""
    user = signed_in_with_a_new_passkey(page)
    laptop = Passkey.objects.get(user=user, name="Laptop")
    age_sign_in(user)

    page.goto("/account/security/")
    page.locator(f"#passkey-{laptop.pk}").get_by_role("button", name="Remove").click()
    page.locator("#confirm-dialog").get_by_role("button", name="Remove passkey").click()
    prompt = page.locator("dialog[data-reauth]")
    prompt.get_by_role("button", name="Confirm with a passkey").click()

    page.get_by_text("Passkey removed.").wait_for()
    assert page.url.endswith("/account/security/")
    assert not Passkey.objects.filter(user=user).exists()


def test_over_plain_http_the_pages_say_passkeys_need_a_secure_connection(
    page: Any, settings: Any, live_server: Any
) -> None:
    """Browsers turn WebAuthn off on plain HTTP except at localhost. A person whose only
    second factor is a passkey, at a site served over HTTP, is told why no passkey
    button shows, instead of a page with nothing to press; so is someone adding one."""
    user = signed_in_with_a_new_passkey(page)
    sign_out(page)

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, INSECURE_HOST]
    port = live_server.url.rsplit(":", 1)[1]
    sign_in_with_password(page, user.email, base=f"http://{INSECURE_HOST}:{port}")
    page.wait_for_url("**/auth/sign-in/verify/**")
    assert not page.evaluate("window.isSecureContext")
    reason = page.locator("[data-passkey-unavailable]")
    expect(reason).to_have_text(
        "Passkeys need a secure connection. Open the site at its https:// address and try again."
    )
    expect(page.get_by_role("button", name="Use a passkey")).to_be_hidden()

    sign_out(page)
    newcomer = UserFactory()
    sign_in_with_password(page, newcomer.email, base=f"http://{INSECURE_HOST}:{port}")
    page.wait_for_url("**/t/**")
    page.goto(f"http://{INSECURE_HOST}:{port}/account/security/passkeys/add/")
    expect(page.locator("[data-passkey-unavailable]")).to_contain_text(
        "Passkeys need a secure connection"
    )
    expect(page.get_by_role("button", name="Create passkey")).to_be_hidden()


def passkey_person(page: Any) -> tuple[Any, Any, str, str]:
    """A person whose second factors are a passkey ("Phone") and their recovery codes,
    signed out again: (user, cdp, authenticator, one recovery code)."""
    user = UserFactory()
    cdp, authenticator = virtual_authenticator(page)
    sign_in_with_password(page, user.email)
    page.wait_for_url("**/t/**")
    add_passkey(page, "Phone")
    page.get_by_role("heading", name="Save your recovery codes").wait_for()
    code = page.locator("[data-testid=recovery-codes] li").first.inner_text().strip()
    sign_out(page)
    return user, cdp, authenticator, code


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_the_second_step_offers_one_trust_box_before_both_ways_in(page: Any, width: int) -> None:
    """The box was shown twice (one per form, both `id_trust`), the passkey's after its
    button; and the footer's language picker, which the known person's own language
    overrides on this page, changed nothing when used."""
    page.set_viewport_size({"width": width, "height": 800})
    user, cdp, authenticator, _ = passkey_person(page)

    hold_presence(cdp, authenticator, present=False)
    sign_in_with_password(page, user.email)
    page.wait_for_url("**/auth/sign-in/verify/")
    boxes = page.get_by_label("Don't ask again on this browser for 30 days")

    expect(boxes).to_have_count(1)
    expect(boxes).to_be_visible()
    before_button = page.evaluate(
        "(() => { const box = document.querySelector('input[type=checkbox]');"
        " const button = [...document.querySelectorAll('button')]"
        "   .find(b => b.textContent.trim() === 'Use a passkey');"
        " return !!(box.compareDocumentPosition(button) & Node.DOCUMENT_POSITION_FOLLOWING); })()"
    )
    assert before_button, "the box comes before the button it is for"
    expect(page.get_by_test_id("language-picker")).to_have_count(0)
    # No empty navigation landmark in the header (it held the sign-in links, none here).
    expect(page.locator("header nav")).to_have_count(0)

    boxes.check()
    hold_presence(cdp, authenticator, present=True)
    page.get_by_role("button", name="Use a passkey").click()
    page.wait_for_url("**/t/**")

    assert TrustedBrowser.objects.filter(user=user).count() == 1


def test_the_one_trust_box_is_sent_with_a_recovery_code_too(page: Any) -> None:
    user, cdp, authenticator, code = passkey_person(page)

    hold_presence(cdp, authenticator, present=False)
    sign_in_with_password(page, user.email)
    page.wait_for_url("**/auth/sign-in/verify/")
    page.get_by_label("Don't ask again on this browser for 30 days").check()
    page.get_by_label("Recovery code").fill(code)
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/t/**")

    assert TrustedBrowser.objects.filter(user=user).count() == 1


def test_a_passkey_added_without_a_name_is_named_after_this_device_at_phone_width(
    page: Any,
) -> None:
    """Every unnamed passkey was "Passkey": the form now says what it will be called."""
    user = UserFactory()
    virtual_authenticator(page)
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in_with_password(page, user.email)
    page.wait_for_url("**/t/**")

    page.goto("/account/security/passkeys/add/")
    name = page.get_by_label("Name")
    expect(name).to_have_accessible_description(
        "So you can tell your passkeys apart later. Left empty, it is called “Passkey on Linux”."
    )
    page.get_by_role("button", name="Create passkey").click()
    page.get_by_role("heading", name="Save your recovery codes").wait_for()

    assert Passkey.objects.get(user=user).name == "Passkey on Linux"
    page.goto("/account/security/")
    expect(page.locator("#passkeys")).to_contain_text("Passkey on Linux")
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_a_code_asked_for_by_name_leads_over_the_passkey_button(page: Any, width: int) -> None:
    """After "Use a recovery code" the filled, focused button was still "Use a passkey"
    and the code's "Verify" an outline one: the way chosen leads."""
    page.set_viewport_size({"width": width, "height": 800})
    user, cdp, authenticator, _ = passkey_person(page)
    enable_totp(user)
    hold_presence(cdp, authenticator, present=False)
    sign_in_with_password(page, user.email)
    page.wait_for_url("**/auth/sign-in/verify/")
    passkey = page.get_by_role("button", name="Use a passkey")
    verify = page.get_by_role("button", name="Verify")
    expect(passkey).to_have_class(re.compile(r"\bbtn-primary\b"))  # offered first
    expect(verify).to_have_class(re.compile(r"\bbtn-secondary\b"))

    page.get_by_role("link", name="Use a recovery code").click()

    expect(verify).to_have_class(re.compile(r"\bbtn-primary\b"))
    expect(passkey).to_have_class(re.compile(r"\bbtn-secondary\b"))
    expect(page.get_by_label("Recovery code")).to_be_focused()
