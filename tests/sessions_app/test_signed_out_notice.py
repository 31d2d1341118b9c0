"""A device signed out from somewhere else is told why on its next click, once.

The phone's session was ended from the laptop ("Sign out all other devices", or that
one device's "Sign out"), by staff, or by a password change: its next request goes to
the sign-in page, which says so, naming no account. Its own sign-out, a forged or
unknown cookie and plain expiry get the bare sign-in page, as before.
"""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from sessions_app.models import Session
from sessions_app.services import session_revoke
from sessions_app.tokens import token_new, token_sign
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.sessions_app.helpers import CHROME_MAC, FIREFOX_LINUX, cookie, row_of, sign_in

pytestmark = [pytest.mark.django_db]

NAME = settings.SESSION_COOKIE_NAME
FROM_ANOTHER_DEVICE = "This device was signed out from another device. Sign in again."
PASSWORD_CHANGED = "This device was signed out because your password was changed. Sign in again."
BY_AN_ADMINISTRATOR = "This device was signed out by an administrator. Sign in again."
ANY_NOTICE = "This device was signed out"


@pytest.fixture
def laptop(user: Any) -> Client:
    c = Client(HTTP_USER_AGENT=FIREFOX_LINUX)
    sign_in(c, user)
    return c


@pytest.fixture
def phone(user: Any) -> Client:
    c = Client(HTTP_USER_AGENT=CHROME_MAC)
    sign_in(c, user)
    return c


def _next_click(phone: Client) -> str:
    """The phone opens a signed-in page and follows where it is sent: the page it shows."""
    response = phone.get("/account/")
    assert response.status_code == 302
    assert response["Location"] == "/auth/sign-in/?next=/account/"
    assert response.cookies[NAME].value == ""  # the stale cookie is cleared
    page = phone.get(response["Location"])
    assert page.status_code == 200
    html: str = page.content.decode()
    assert "Sign in to Pacetrack" in html
    return html


# --- Signed out from elsewhere: told once --------------------------------------------


def test_signed_out_with_sign_out_all_other_devices_the_phone_is_told_once(
    laptop: Client, phone: Client, user: Any
) -> None:
    laptop.post("/account/sessions/revoke-others/")

    html = _next_click(phone)
    assert FROM_ANOTHER_DEVICE in html
    assert user.email not in html and user.name not in html  # nothing of whose it was

    again = phone.get("/auth/sign-in/?next=/account/").content.decode()
    assert ANY_NOTICE not in again


def test_signed_out_from_the_devices_page_the_phone_is_told(laptop: Client, phone: Client) -> None:
    laptop.post(f"/account/sessions/{row_of(phone).pk}/revoke/")

    assert FROM_ANOTHER_DEVICE in _next_click(phone)


def test_a_password_changed_on_the_laptop_is_the_reason_the_phone_reads(
    laptop: Client, phone: Client
) -> None:
    new = "a-new-password-2026"
    response = laptop.post(
        "/account/password/",
        {"current_password": DEFAULT_PASSWORD, "new_password": new, "confirm_password": new},
    )
    assert response.status_code == 302, response.content.decode()[:500]

    assert PASSWORD_CHANGED in _next_click(phone)


def test_a_password_changed_where_sessions_are_not_revoked_is_told_too(
    phone: Client, user: Any
) -> None:
    # A password set outside the password page (a shell, a command): the phone's row is
    # still live, and its stale password hash ends it on its next request.
    user.set_password("set-by-someone-2026")
    user.save()

    assert PASSWORD_CHANGED in _next_click(phone)
    ended = Session.objects.get(user=user, revoked_at__isnull=False)
    assert ended.revoked_reason == Session.RevokedReason.PASSWORD_CHANGED


def test_staff_signing_everyone_out_is_the_reason_the_phone_reads(phone: Client, user: Any) -> None:
    call_command("revoke_user_sessions", user.email, stdout=io.StringIO())

    assert BY_AN_ADMINISTRATOR in _next_click(phone)


@pytest.mark.parametrize(
    ("reason", "told"),
    [
        (Session.RevokedReason.REVOKED_BY_USER, FROM_ANOTHER_DEVICE),
        (Session.RevokedReason.PASSWORD_CHANGED, PASSWORD_CHANGED),
        (
            Session.RevokedReason.PASSWORD_RESET,
            "This device was signed out because your password was reset. Sign in again.",
        ),
        (Session.RevokedReason.ADMIN, BY_AN_ADMINISTRATOR),
        (
            Session.RevokedReason.SESSION_LIMIT,
            "This device was signed out to make room for a sign-in on another device. "
            "Sign in again.",
        ),
        (
            Session.RevokedReason.DEPROVISIONED,
            "This device was signed out by your organisation. Sign in again.",
        ),
        # The device's own doing: nothing to explain.
        (Session.RevokedReason.SIGNED_OUT, None),
        (Session.RevokedReason.ROTATED, None),
    ],
)
def test_each_reason_a_session_ends_for_says_what_it_is(
    phone: Client, reason: str, told: str | None
) -> None:
    session_revoke(session=row_of(phone), reason=reason)

    html = _next_click(phone)
    if told is None:
        assert ANY_NOTICE not in html
    else:
        assert told in html
        assert html.count(ANY_NOTICE) == 1


def test_the_sign_in_page_opened_with_the_stale_cookie_says_it_right_there(
    laptop: Client, phone: Client, user: Any
) -> None:
    laptop.post("/account/sessions/revoke-others/")

    response = phone.get("/auth/sign-in/")
    assert FROM_ANOTHER_DEVICE in response.content.decode()
    assert response.cookies[NAME].value == ""

    # Not again after signing in (it was shown, not kept for the next page).
    landed = sign_in(phone, user)
    assert ANY_NOTICE not in phone.get(landed["Location"], follow=True).content.decode()


def test_an_htmx_click_sends_the_whole_page_to_sign_in_where_the_notice_waits(
    laptop: Client, phone: Client
) -> None:
    laptop.post("/account/sessions/revoke-others/")

    response = phone.get(
        "/account/sessions/", HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="/account/"
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/auth/sign-in/?next=%2Faccount%2F"
    assert "HX-Trigger" not in response  # not a toast the navigation would drop
    page = phone.get(response["HX-Redirect"]).content.decode()
    assert FROM_ANOTHER_DEVICE in page


def test_telling_costs_one_write_beside_the_session_lookup(
    laptop: Client, phone: Client, django_assert_num_queries: Any
) -> None:
    """The lookup every request with a cookie makes, and the UPDATE marking the end as
    told, made only on the request that tells it (signed-in pages are pinned apart)."""
    laptop.post("/account/sessions/revoke-others/")

    with django_assert_num_queries(2):
        phone.get("/account/")


# --- The device's own doing, or no session at all: nothing to tell ------------------


def test_a_copy_of_the_old_cookie_replayed_later_learns_nothing(
    laptop: Client, phone: Client
) -> None:
    """Told once for good, not once per browser: whoever kept a copy of the cookie (a
    thief whose session was ended) cannot ask again and again why it ended."""
    stolen = cookie(phone)
    laptop.post("/account/sessions/revoke-others/")
    assert FROM_ANOTHER_DEVICE in _next_click(phone)

    replays = []
    for _ in range(3):
        thief = Client()
        thief.cookies[NAME] = stolen
        replays.append(thief.get("/auth/sign-in/").content.decode())

    assert all(ANY_NOTICE not in html for html in replays)


def test_telling_leaves_the_row_as_it_ended_for_whoever_looks_into_it(
    laptop: Client, phone: Client
) -> None:
    """The row of an ended session is evidence (when it was revoked, when it would have
    expired): telling its browser marks a column of its own. The expiry was moved back
    to the revocation, so a stolen copy of the cookie, replayed, rewrote the record."""
    stolen = cookie(phone)
    laptop.post("/account/sessions/revoke-others/")
    ended = row_of(phone)
    thief = Client()
    thief.cookies[NAME] = stolen

    assert FROM_ANOTHER_DEVICE in _next_click(thief)
    told = Session.objects.get(pk=ended.pk)
    assert (told.expires_at, told.revoked_at) == (ended.expires_at, ended.revoked_at)
    assert told.end_told_at is not None and ended.end_told_at is None
    assert ANY_NOTICE not in _next_click(phone)  # told once, whichever copy came first


def test_own_sign_out_says_nothing_even_when_the_old_cookie_comes_back(phone: Client) -> None:
    value = cookie(phone)
    phone.post("/auth/sign-out/")
    phone.cookies[NAME] = value  # a tab, a backup, a copy: the same cookie again

    assert ANY_NOTICE not in _next_click(phone)


def test_a_forged_cookie_says_nothing(client: Client) -> None:
    client.cookies[NAME] = "not-a-signed-token"

    assert ANY_NOTICE not in _next_click(client)


def test_a_validly_signed_cookie_of_no_session_says_nothing(client: Client) -> None:
    client.cookies[NAME] = token_sign(token_new())

    assert ANY_NOTICE not in _next_click(client)


def test_plain_expiry_says_nothing(phone: Client) -> None:
    row = row_of(phone)
    with time_machine.travel(row.expires_at + timedelta(seconds=1), tick=False):
        assert ANY_NOTICE not in _next_click(phone)


def test_a_session_revoked_only_after_it_had_expired_ended_by_expiry_and_says_nothing(
    phone: Client,
) -> None:
    row = row_of(phone)
    with time_machine.travel(row.expires_at + timedelta(seconds=1), tick=False):
        session_revoke(session=row, reason=Session.RevokedReason.REVOKED_BY_USER)
        assert ANY_NOTICE not in _next_click(phone)
