"""The security page and the authenticator-app and recovery-code pages, over HTTP."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from mfa.models import TOTPDevice
from mfa.selectors import two_factor_status
from mfa.totp import totp_code_at
from sessions_app.authentication import session_has_second_factor
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.mfa.helpers import enable_totp

pytestmark = pytest.mark.django_db

SECRET_RE = re.compile(r'data-testid="totp-secret">([A-Z2-7 ]+)<')


def shown_secret(response: Any) -> str:
    match = SECRET_RE.search(response.content.decode())
    assert match, "no secret on the page"
    return match.group(1).replace(" ", "")


def shown_codes(response: Any) -> list[str]:
    block = response.content.decode().split('data-testid="recovery-codes"', 1)[1].split("</ol>")[0]
    return re.findall(r"<li>([a-z2-9-]+)</li>", block)


def test_the_set_up_page_shows_a_qr_code_and_the_key_to_type(auth_client: Client) -> None:
    response = auth_client.get("/account/security/authenticator/")

    assert response.status_code == 200
    assert 'src="data:image/svg+xml' in response.content.decode()
    assert len(shown_secret(response)) == 32
    assert "no-store" in response["Cache-Control"]


def test_confirming_with_a_code_from_the_app_turns_it_on_and_shows_the_codes_once(
    auth_client: Client, user: Any
) -> None:
    secret = shown_secret(auth_client.get("/account/security/authenticator/"))

    response = auth_client.post("/account/security/authenticator/", {"code": totp_code_at(secret)})

    assert response.status_code == 200
    codes = shown_codes(response)
    assert len(codes) == 10
    download = re.search(r'href="(data:text/plain[^"]+)" download', response.content.decode())
    assert download and all(code in unquote(download.group(1)) for code in codes)
    assert two_factor_status(user=user).enabled
    # Nothing shows them again.
    page = auth_client.get("/account/security/").content.decode()
    assert not any(code in page for code in codes)
    assert "10 of 10 left" in page


def test_an_app_set_up_after_signing_in_counts_without_rewriting_how_they_signed_in(
    auth_client: Client, user: Any
) -> None:
    """The app just proven by a code counts as this session's second factor (a workspace
    requiring two-factor lets it in), but the devices page and the security activity
    still say the sign-in used the password alone: that is what happened."""
    secret = shown_secret(auth_client.get("/account/security/authenticator/"))
    auth_client.post("/account/security/authenticator/", {"code": totp_code_at(secret)})

    assert session_has_second_factor(auth_client.session)
    devices = " ".join(auth_client.get("/account/sessions/").content.decode().split())
    assert "with Password" in devices and "Authenticator app" not in devices
    security = auth_client.get("/account/security/").content.decode()
    assert "Password + Authenticator app" not in security


def test_a_wrong_code_leaves_two_factor_off(auth_client: Client, user: Any) -> None:
    secret = shown_secret(auth_client.get("/account/security/authenticator/"))
    wrong = "123456" if totp_code_at(secret) != "123456" else "654321"

    response = auth_client.post("/account/security/authenticator/", {"code": wrong})

    assert "That code doesn&#x27;t match" in response.content.decode()
    assert shown_secret(response) == secret  # the same QR code, to try again
    assert not two_factor_status(user=user).enabled


def test_the_security_page_shows_the_state_and_the_codes_left(
    auth_client: Client, user: Any
) -> None:
    off = auth_client.get("/account/security/").content.decode()
    assert 'data-testid="two-factor-status">Off<' in off
    enable_totp(user)

    on = auth_client.get("/account/security/").content.decode()

    assert 'data-testid="two-factor-status">On<' in on
    assert "10 of 10 left" in on
    assert "Authenticator app turned on" in on  # the activity list


def test_new_recovery_codes_are_shown_once_and_replace_the_old(
    auth_client: Client, user: Any
) -> None:
    _, old = enable_totp(user)

    response = auth_client.post("/account/security/recovery-codes/")

    new = shown_codes(response)
    assert len(new) == 10 and not set(new) & set(old)


def test_removing_the_app_turns_two_factor_off(auth_client: Client, user: Any) -> None:
    enable_totp(user)

    response = auth_client.post("/account/security/authenticator/remove/", follow=True)

    assert "Your authenticator app is removed." in response.content.decode()
    assert not two_factor_status(user=user).enabled


def test_the_pages_need_a_signed_in_person(client: Client) -> None:
    for url in ("/account/security/", "/account/security/authenticator/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/auth/sign-in/")


def test_a_set_up_reloaded_after_half_an_hour_shows_a_new_key(
    auth_client: Client, user: Any
) -> None:
    first = shown_secret(auth_client.get("/account/security/authenticator/"))
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        auth_client.force_login(user)  # a fresh sign-in: the page needs a recent one
        again = shown_secret(auth_client.get("/account/security/authenticator/"))

    assert again != first


def test_recent_activity_lists_sign_ins_failures_and_changes_newest_first(
    client: Client, user: Any
) -> None:
    start = timezone.now() - timedelta(hours=3)
    with time_machine.travel(start, tick=False):
        Client(REMOTE_ADDR="198.51.100.20").post(
            "/auth/sign-in/", {"email": user.email, "password": DEFAULT_PASSWORD}
        )
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        Client(REMOTE_ADDR="203.0.113.99").post(
            "/auth/sign-in/", {"email": user.email, "password": "a-wrong-guess"}
        )
    enable_totp(user, at=start + timedelta(hours=2))
    client.force_login(user)

    items = re.findall(
        r'<li class="flex items-start gap-3 py-3" data-kind="(\w+)">.*?'
        r'<p class="text-sm font-medium text-slate-900">([^<]+)<.*?</li>',
        client.get("/account/security/").content.decode(),
        re.S,
    )

    assert [(kind, title.strip()) for kind, title in items] == [
        ("sign_in", "Signed in"),  # this page's own client, just now
        ("change", "Recovery codes generated"),
        ("change", "Authenticator app turned on"),
        ("failed", "Failed sign-in: wrong password"),
        ("sign_in", "Signed in"),
    ]
    page = client.get("/account/security/").content.decode()
    assert "203.0.113.99" in page and "198.51.100.20" in page


def test_removing_the_last_second_factor_says_two_factor_turns_off(
    auth_client: Client, user: Any
) -> None:
    """Its dialog said only "Signing in will no longer ask for a code from it."."""
    from mfa.models import Passkey

    enable_totp(user)
    last = "It is your last second factor: two-factor authentication turns off"
    assert last in auth_client.get("/account/security/").content.decode()

    Passkey.objects.create(user=user, name="Laptop", credential_id="c-1", public_key=b"\x01k")
    page = auth_client.get("/account/security/").content.decode()
    assert last not in page
    assert "Signing in will no longer ask for a code from it." in page


def test_reloading_the_recovery_codes_page_replaces_nothing(auth_client: Client, user: Any) -> None:
    """The walk: turning the app on, then reloading "Save your recovery codes" (the
    browser sends the form again) showed "Replace your authenticator app" with a new
    secret, the codes gone. The repeat now makes nothing and says why."""
    page = auth_client.get("/account/security/authenticator/")
    secret = shown_secret(page)
    once = re.search(r'name="once" value="([^"]+)"', page.content.decode())
    assert once, "the form carries its one-time field"
    form = {"code": totp_code_at(secret), "once": once.group(1)}
    first = auth_client.post("/account/security/authenticator/", form)
    codes = shown_codes(first)
    device = TOTPDevice.objects.get(user=user)

    again = auth_client.post("/account/security/authenticator/", form, follow=True)

    assert again.redirect_chain[-1][0] == "/account/security/"
    assert "That form was sent already, so nothing new was made." in again.content.decode()
    assert TOTPDevice.objects.get(user=user).pk == device.pk
    assert not any(code in again.content.decode() for code in codes)
    assert "10 of 10 left" in again.content.decode()
