"""The devices page: list, sign out one, sign out all others; with and without htmx."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from core.htmx import toasts_of
from sessions_app.models import Session
from tests.sessions_app.helpers import CHROME_MAC, FIREFOX_LINUX, row_of, sign_in

pytestmark = [pytest.mark.django_db]
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def laptop(user: Any) -> Client:
    c = Client(HTTP_USER_AGENT=FIREFOX_LINUX, REMOTE_ADDR="203.0.113.5")
    sign_in(c, user)
    return c


@pytest.fixture
def phone(user: Any) -> Client:
    c = Client(HTTP_USER_AGENT=CHROME_MAC, REMOTE_ADDR="198.51.100.7")
    sign_in(c, user)
    return c


def test_list_shows_my_devices_and_marks_this_one(laptop: Client, phone: Client) -> None:
    response = laptop.get("/account/sessions/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Firefox on Linux" in html and "Chrome on macOS" in html
    assert "203.0.113.5" in html and "198.51.100.7" in html
    assert html.count("This device") == 1
    assert html.index("This device") > html.index("Firefox on Linux")
    assert "Sign out all other devices" in html


def test_list_hides_other_users_and_revoked_sessions(
    laptop: Client, phone: Client, other_user: Any
) -> None:
    theirs = Client(HTTP_USER_AGENT="curl/8.0")
    sign_in(theirs, other_user)
    Session.objects.filter(pk=row_of(phone).pk).update(
        revoked_at="2026-01-01T00:00Z", revoked_reason="admin"
    )
    html = laptop.get("/account/sessions/").content.decode()
    assert "curl" not in html and "Chrome on macOS" not in html
    assert "Sign out all other devices" not in html  # nothing else to sign out


def test_list_requires_sign_in(client: Client) -> None:
    response = client.get("/account/sessions/")
    assert response.status_code == 302
    assert response["Location"] == "/auth/sign-in/?next=/account/sessions/"


def test_sign_out_one_device_without_javascript(laptop: Client, phone: Client) -> None:
    row = row_of(phone)
    response = laptop.post(f"/account/sessions/{row.pk}/revoke/", follow=True)
    assert response.redirect_chain[-1][0] == "/account/sessions/"
    assert "Signed out Chrome on macOS." in response.content.decode()
    assert phone.get("/account/").status_code == 302
    row.refresh_from_db()
    assert row.revoked_reason == Session.RevokedReason.REVOKED_BY_USER


def test_sign_out_one_device_with_htmx_returns_the_list_partial(
    laptop: Client, phone: Client
) -> None:
    response = laptop.post(f"/account/sessions/{row_of(phone).pk}/revoke/", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="card mt-6" id="session-list"')
    assert "<html" not in html
    assert "Firefox on Linux" in html and "Signed out" not in html  # said by a toast:
    assert toasts_of(response) == [{"level": "success", "message": "Signed out Chrome on macOS."}]
    assert phone.get("/account/").status_code == 302


def test_sign_out_all_other_devices(laptop: Client, phone: Client, user: Any) -> None:
    tablet = Client()
    sign_in(tablet, user)
    response = laptop.post("/account/sessions/revoke-others/", **HTMX)
    assert toasts_of(response)[0]["message"] == "Signed out 2 other devices."
    assert laptop.get("/account/").status_code == 200
    assert phone.get("/account/").status_code == 302
    assert tablet.get("/account/").status_code == 302
    response = laptop.post("/account/sessions/revoke-others/", follow=True)
    assert "No other devices were signed in." in response.content.decode()


def test_cannot_revoke_someone_elses_session(laptop: Client, other_user: Any) -> None:
    theirs = Client()
    sign_in(theirs, other_user)
    response = laptop.post(f"/account/sessions/{row_of(theirs).pk}/revoke/")
    assert response.status_code == 404
    assert theirs.get("/account/").status_code == 200


def test_revoking_this_device_signs_me_out(laptop: Client) -> None:
    response = laptop.post(f"/account/sessions/{row_of(laptop).pk}/revoke/", **HTMX)
    assert response["HX-Redirect"] == "/auth/sign-in/"
    assert laptop.get("/account/").status_code == 302


def test_revoke_needs_post_and_csrf(user: Any) -> None:
    strict = Client(enforce_csrf_checks=True)
    sign_in_page = strict.get("/auth/sign-in/")
    token = sign_in_page.cookies[settings.CSRF_COOKIE_NAME].value
    strict.post(
        "/auth/sign-in/",
        {
            "email": user.email,
            "password": "correct-horse-battery-staple",
            "csrfmiddlewaretoken": token,
        },
    )
    assert strict.get("/account/sessions/revoke-others/").status_code == 405
    assert strict.post("/account/sessions/revoke-others/").status_code == 403


def test_each_other_device_has_its_own_sign_out_url(laptop: Client, phone: Client) -> None:
    html = laptop.get("/account/sessions/").content.decode()
    url = f"/account/sessions/{row_of(phone).pk}/revoke/"
    assert f'action="{url}"' in html and f'hx-post="{url}"' in html
    assert f"/account/sessions/{row_of(laptop).pk}/revoke/" not in html  # this one: sign out


def test_a_german_reader_sees_each_device_in_german(
    laptop: Client, phone: Client, user: Any
) -> None:
    type(user).objects.filter(pk=user.pk).update(language="de")
    html = laptop.get("/account/sessions/").content.decode()
    assert "Firefox unter Linux" in html and "Chrome unter macOS" in html
    assert "Firefox on Linux" not in html and "Chrome on macOS" not in html
    assert "Chrome unter macOS abmelden?" in html  # the confirmation names it too

    response = laptop.post(f"/account/sessions/{row_of(phone).pk}/revoke/", **HTMX)
    assert toasts_of(response)[0]["message"] == "Chrome unter macOS wurde abgemeldet."
