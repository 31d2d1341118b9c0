"""The session engine and middleware: what the cookie holds, what the database
holds, when a session stops working, and what a signed-in request costs."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core import signing
from django.core.management import call_command

from sessions_app.models import Session
from sessions_app.tokens import SALT, token_new, token_sign, token_unsign
from tests.sessions_app.helpers import FIREFOX_LINUX, cookie, row_of, sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.sessions_app.urls")]

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
NAME = settings.SESSION_COOKIE_NAME


def _signed_in_at(client: Any, user: Any, when: datetime = T0, **extra: Any) -> Session:
    with time_machine.travel(when, tick=False):
        sign_in(client, user, **extra)
    return row_of(client)


# --- What is stored -----------------------------------------------------------


def test_cookie_is_a_signed_random_token_and_the_database_holds_only_its_sha256(
    client: Any, user: Any
) -> None:
    sign_in(client, user)
    value = cookie(client)
    token = token_unsign(value)
    assert token is not None and len(token) >= 26  # 20 bytes, URL-safe base64
    row = Session.objects.get(user=user)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    dump = out.getvalue()
    assert token not in dump and value not in dump


def test_cookie_attributes(client: Any, user: Any) -> None:
    response = sign_in(client, user)
    morsel = response.cookies[NAME]
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Lax"
    assert morsel["path"] == "/"
    assert int(morsel["max-age"]) == settings.SESSION_COOKIE_AGE


def test_signed_in_row_records_device_ip_and_user_agent(client: Any, user: Any) -> None:
    sign_in(client, user, HTTP_USER_AGENT=FIREFOX_LINUX, REMOTE_ADDR="203.0.113.9")
    row = row_of(client)
    assert (row.device, row.browser, row.system, row.ip_address, row.user_agent) == (
        "Firefox on Linux",
        "Firefox",
        "Linux",
        "203.0.113.9",
        FIREFOX_LINUX,
    )
    assert row.expires_at - row.created_at == timedelta(seconds=settings.SESSION_COOKIE_AGE)


def test_anonymous_visitors_never_get_a_session_row_or_cookie(client: Any) -> None:
    response = client.get("/auth/sign-in/")
    assert response.status_code == 200
    assert NAME not in response.cookies
    assert Session.objects.count() == 0


def test_failed_sign_in_stores_nothing(client: Any, user: Any) -> None:
    client.post("/auth/sign-in/", {"email": user.email, "password": "wrong-password-1"})
    assert Session.objects.count() == 0
    assert NAME not in client.cookies


# --- Forged and tampered cookies ------------------------------------------------


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda value: value[:-1] + ("A" if value[-1] != "A" else "B"), id="tampered"),
        pytest.param(
            lambda value: signing.Signer(key="x" * 50, salt="pacetrack.sessions.token").sign(
                value.split(":")[0]
            ),
            id="signed-with-another-key",
        ),
        pytest.param(lambda value: value.split(":")[0], id="unsigned-token"),
        pytest.param(lambda value: "garbage", id="garbage"),
    ],
)
def test_forged_cookie_is_anonymous_without_any_query(
    client: Any, user: Any, forge: Any, django_assert_num_queries: Any
) -> None:
    sign_in(client, user)
    client.cookies[NAME] = forge(cookie(client))
    with django_assert_num_queries(0):
        response = client.get("/whoami/")
    assert response.status_code == 302 and response["Location"].startswith("/auth/sign-in/")
    assert response.cookies[NAME].value == ""  # cleared


def test_validly_signed_token_without_a_row_is_anonymous(client: Any, user: Any) -> None:
    client.cookies[NAME] = token_sign(token_new())
    response = client.get("/whoami/")
    assert response.status_code == 302
    assert response.cookies[NAME].value == ""


# --- Rotating SESSION_SECRET ---------------------------------------------------------

NEW_SECRET = "n" * 20 + "0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b"


def test_a_cookie_signed_with_the_previous_session_secret_still_works_and_is_re_signed(
    client: Any, user: Any, settings: Any, django_assert_num_queries: Any
) -> None:
    sign_in(client, user)
    old_cookie, row = cookie(client), row_of(client)
    settings.SESSION_SECRET_FALLBACKS = [settings.SESSION_SECRET]
    settings.SESSION_SECRET = NEW_SECRET

    with django_assert_num_queries(1):  # no write: same token, same row
        response = client.get("/whoami/")

    assert response.content.decode() == user.email
    resigned = response.cookies[NAME]
    assert resigned.value != old_cookie
    assert token_unsign(resigned.value) == token_unsign(old_cookie) is not None
    assert int(resigned["max-age"]) > 0
    settings.SESSION_SECRET_FALLBACKS = []  # the old secret is finally dropped
    assert client.get("/whoami/").content.decode() == user.email
    assert list(Session.objects.filter(user=user)) == [row]
    assert NAME not in client.get("/whoami/").cookies  # re-signed once, not every time


def test_without_the_fallback_an_old_session_secret_cookie_is_anonymous(
    client: Any, user: Any, settings: Any
) -> None:
    sign_in(client, user)
    settings.SESSION_SECRET = NEW_SECRET
    response = client.get("/whoami/")
    assert response.status_code == 302 and response.cookies[NAME].value == ""


def test_a_rotated_secret_key_keeps_everyone_signed_in_through_its_fallback(
    client: Any, user: Any, settings: Any
) -> None:
    sign_in(client, user)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = NEW_SECRET
    assert client.get("/whoami/").content.decode() == user.email


# --- Cost per request -------------------------------------------------------------


def test_signed_in_request_costs_one_query_and_no_write(
    client: Any, user: Any, django_assert_num_queries: Any
) -> None:
    sign_in(client, user)
    with django_assert_num_queries(1) as ctx:
        response = client.get("/whoami/")
    assert response.content.decode() == user.email
    assert "JOIN" in ctx.captured_queries[0]["sql"].upper()  # session and user together
    assert NAME not in response.cookies  # nothing to re-send


def test_tenant_page_costs_two_queries_once_the_active_tenant_is_stored(
    client: Any, owner: Any, acme: Any, django_assert_num_queries: Any
) -> None:
    sign_in(client, owner)
    client.get(f"/t/{acme.slug}/")
    assert row_of(client).active_tenant_id == acme.pk
    with django_assert_num_queries(2):
        response = client.get(f"/t/{acme.slug}/")
    assert response.content.decode() == f"{owner.email} in {acme.slug} as Owner"


def test_active_tenant_survives_across_requests_for_app_redirect(
    client: Any, owner: Any, acme: Any
) -> None:
    sign_in(client, owner)
    client.get(f"/t/{acme.slug}/")
    assert client.get("/app/")["Location"] == f"/t/{acme.slug}/"


def test_force_login_works_with_our_engine(client: Any, user: Any) -> None:
    client.force_login(user)
    assert client.get("/whoami/").content.decode() == user.email
    assert Session.objects.filter(user=user, revoked_at__isnull=True).count() == 1


# --- Expiry, renewal, absolute lifetime -------------------------------------------


def test_expired_session_is_anonymous_and_its_cookie_is_cleared(client: Any, user: Any) -> None:
    row = _signed_in_at(client, user)
    with time_machine.travel(row.expires_at + timedelta(seconds=1), tick=False):
        response = client.get("/whoami/")
    assert response.status_code == 302
    assert response.cookies[NAME].value == ""


def test_no_renewal_while_more_than_fifteen_days_remain(client: Any, user: Any) -> None:
    row = _signed_in_at(client, user)
    remaining = timedelta(days=15, hours=1)
    with time_machine.travel(row.expires_at - remaining, tick=False):
        response = client.get("/whoami/")
    assert response.status_code == 200
    assert NAME not in response.cookies
    row.refresh_from_db()
    assert row.expires_at == T0 + timedelta(days=30)


def test_renewal_to_thirty_days_when_under_fifteen_remain(client: Any, user: Any) -> None:
    row = _signed_in_at(client, user)
    now = row.expires_at - timedelta(days=14, hours=23)
    with time_machine.travel(now, tick=False):
        response = client.get("/whoami/")
    assert response.status_code == 200
    assert int(response.cookies[NAME]["max-age"]) == 30 * 24 * 3600
    assert response.cookies[NAME].value == cookie(client)  # same token, longer life
    row.refresh_from_db()
    assert row.expires_at == now + timedelta(days=30)


def test_renewal_never_passes_the_absolute_lifetime(client: Any, user: Any, settings: Any) -> None:
    settings.SESSIONS_ABSOLUTE_LIFETIME = 40 * 24 * 3600
    row = _signed_in_at(client, user)
    with time_machine.travel(T0 + timedelta(days=20), tick=False):
        response = client.get("/whoami/")
    assert response.status_code == 200
    row.refresh_from_db()
    assert row.expires_at == T0 + timedelta(days=40)
    assert int(response.cookies[NAME]["max-age"]) == 20 * 24 * 3600
    with time_machine.travel(T0 + timedelta(days=39), tick=False):
        assert client.get("/whoami/").status_code == 200
    with time_machine.travel(T0 + timedelta(days=40, seconds=1), tick=False):
        assert client.get("/whoami/").status_code == 302


def test_session_past_absolute_lifetime_is_refused_even_if_expiry_says_otherwise(
    client: Any, user: Any, settings: Any
) -> None:
    row = _signed_in_at(client, user)
    settings.SESSIONS_ABSOLUTE_LIFETIME = 3600  # lowered after sign-in
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        assert client.get("/whoami/").status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is None  # refused, not rewritten


# --- Activity writes ------------------------------------------------------------------


def test_activity_is_written_at_most_every_interval(
    client: Any, user: Any, django_assert_num_queries: Any
) -> None:
    row = _signed_in_at(client, user, HTTP_USER_AGENT="curl/8.0", REMOTE_ADDR="198.51.100.1")
    with time_machine.travel(T0 + timedelta(minutes=4), tick=False), django_assert_num_queries(1):
        client.get("/whoami/", HTTP_USER_AGENT=FIREFOX_LINUX, REMOTE_ADDR="198.51.100.2")
    row.refresh_from_db()
    assert row.last_activity_at == T0 and row.ip_address == "198.51.100.1"
    later = T0 + timedelta(minutes=5)
    # load + one UPDATE
    with time_machine.travel(later, tick=False), django_assert_num_queries(2):
        client.get("/whoami/", HTTP_USER_AGENT=FIREFOX_LINUX, REMOTE_ADDR="198.51.100.2")
    row.refresh_from_db()
    assert (row.last_activity_at, row.ip_address, row.device, row.browser, row.system) == (
        later,
        "198.51.100.2",
        "Firefox on Linux",
        "Firefox",
        "Linux",
    )


# --- Sign-in rotates, sign-out revokes ------------------------------------------------


def test_sign_in_always_issues_a_new_token(client: Any, user: Any) -> None:
    planted = token_sign(token_new())  # e.g. set by an attacker before sign-in
    client.cookies[NAME] = planted
    sign_in(client, user)
    assert cookie(client) != planted
    first = row_of(client)
    sign_in(client, user)  # signing in again while signed in
    assert cookie(client) != first
    first.refresh_from_db()
    assert first.revoked_reason == Session.RevokedReason.ROTATED
    assert Session.objects.filter(user=user, revoked_at__isnull=True).count() == 1


def test_a_stolen_pre_sign_in_cookie_does_not_become_signed_in(
    client: Any, user: Any, settings: Any
) -> None:
    from django.test import Client

    planted = token_sign(token_new())
    client.cookies[NAME] = planted
    sign_in(client, user)
    attacker = Client()
    attacker.cookies[NAME] = planted
    assert attacker.get("/whoami/").status_code == 302


def test_sign_out_revokes_the_row_and_clears_the_cookie(client: Any, user: Any) -> None:
    sign_in(client, user)
    value, row = cookie(client), row_of(client)
    response = client.post("/auth/sign-out/")
    assert response.status_code == 302
    assert response.cookies[NAME].value == ""
    row.refresh_from_db()
    assert row.revoked_at is not None and row.revoked_reason == Session.RevokedReason.SIGNED_OUT
    client.cookies[NAME] = value  # replaying the old cookie
    assert client.get("/whoami/").status_code == 302


def test_deactivated_user_is_anonymous_on_next_request(client: Any, user: Any) -> None:
    sign_in(client, user)
    user.is_active = False
    user.save()
    assert client.get("/whoami/").status_code == 302


def test_a_secret_key_rotation_keeps_the_session_and_its_absolute_lifetime(
    client: Any, user: Any, settings: Any
) -> None:
    """The hash is re-signed with the new key on the same row: no new token, no fresh
    90 days for a session that was about to reach its absolute lifetime."""
    row = _signed_in_at(client, user)
    before = cookie(client)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "rotated-" + "k" * 60

    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        response = client.get("/whoami/")

    assert response.status_code == 200
    assert cookie(client) == before
    rows = Session.objects.filter(user=user)
    assert rows.count() == 1
    row.refresh_from_db()
    assert row.revoked_at is None and row.created_at == T0
    settings.SECRET_KEY_FALLBACKS = []  # the old key is gone: the re-signed hash still works
    with time_machine.travel(T0 + timedelta(days=1, minutes=1), tick=False):
        assert client.get("/whoami/").status_code == 200


def test_a_signed_in_request_verifies_the_cookie_signature_once(
    auth_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    verified: list[str] = []
    unsign = signing.Signer.unsign

    def counting_unsign(self: signing.Signer, value: str) -> str:
        if self.salt == SALT:
            verified.append(value)
        return unsign(self, value)

    monkeypatch.setattr(signing.Signer, "unsign", counting_unsign)

    assert auth_client.get("/account/sessions/").status_code == 200
    assert len(verified) == 1
