"""SESSIONS_MAX_PER_USER: a sign-in beyond the cap signs out the least recently active
devices, and the devices page says which."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from sessions_app.checks import check_engine_and_middleware
from sessions_app.models import Session
from tests.sessions_app.helpers import CHROME_MAC, FIREFOX_LINUX, row_of, sign_in

pytestmark = [pytest.mark.django_db]
EDGE_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0"
)


def device(user: Any, agent: str, ip: str) -> Client:
    browser = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=ip)
    sign_in(browser, user)
    return browser


def signed_in(browser: Client) -> bool:
    return browser.get("/account/sessions/").status_code == 200


def test_signing_in_beyond_the_session_cap_signs_out_the_oldest_device(
    settings: Any, user: Any
) -> None:
    settings.SESSIONS_MAX_PER_USER = 2
    laptop = device(user, FIREFOX_LINUX, "203.0.113.5")
    phone = device(user, CHROME_MAC, "198.51.100.7")
    oldest = row_of(laptop)
    tablet = device(user, EDGE_WINDOWS, "192.0.2.9")

    assert not signed_in(laptop)
    assert signed_in(phone) and signed_in(tablet)
    oldest.refresh_from_db()
    assert oldest.revoked_reason == Session.RevokedReason.SESSION_LIMIT
    assert Session.objects.filter(user=user).active().count() == 2

    html = tablet.get("/account/sessions/").content.decode()
    assert 'data-testid="session-limit-notice"' in html
    assert "at most 2 devices at once" in html
    notice = html[html.index("session-limit-notice") :]
    assert "Firefox on Linux" in notice and "203.0.113.5" in notice


def test_the_least_recently_active_device_goes_first(settings: Any, user: Any) -> None:
    settings.SESSIONS_MAX_PER_USER = 2
    laptop = device(user, FIREFOX_LINUX, "203.0.113.5")
    phone = device(user, CHROME_MAC, "198.51.100.7")
    # The laptop signed in first but is in daily use; the phone has been idle for days.
    Session.objects.filter(pk=row_of(phone).pk).update(
        last_activity_at=timezone.now() - timedelta(days=3)
    )
    device(user, EDGE_WINDOWS, "192.0.2.9")
    assert signed_in(laptop) and not signed_in(phone)


def test_a_cap_of_one_keeps_only_the_newest_sign_in(settings: Any, user: Any) -> None:
    settings.SESSIONS_MAX_PER_USER = 1
    laptop = device(user, FIREFOX_LINUX, "203.0.113.5")
    phone = device(user, CHROME_MAC, "198.51.100.7")
    assert signed_in(phone) and not signed_in(laptop)


def test_the_surviving_older_device_is_told_too(settings: Any, user: Any) -> None:
    settings.SESSIONS_MAX_PER_USER = 2
    device(user, FIREFOX_LINUX, "203.0.113.5")
    phone = device(user, CHROME_MAC, "198.51.100.7")
    device(user, EDGE_WINDOWS, "192.0.2.9")
    html = phone.get("/account/sessions/").content.decode()
    assert 'data-testid="session-limit-notice"' in html and "Firefox on Linux" in html


def test_a_device_that_signs_in_later_is_not_told_about_earlier_ones(
    settings: Any, user: Any
) -> None:
    settings.SESSIONS_MAX_PER_USER = 3
    laptop = device(user, FIREFOX_LINUX, "203.0.113.5")
    device(user, CHROME_MAC, "198.51.100.7")
    device(user, EDGE_WINDOWS, "192.0.2.9")
    Session.objects.filter(pk=row_of(laptop).pk).update(
        revoked_at=timezone.now() - timedelta(hours=1), revoked_reason="session_limit"
    )
    later = device(user, FIREFOX_LINUX, "192.0.2.10")
    assert "session-limit-notice" not in later.get("/account/sessions/").content.decode()


def test_signing_in_again_on_the_same_device_does_not_count_twice(settings: Any, user: Any) -> None:
    settings.SESSIONS_MAX_PER_USER = 2
    laptop = device(user, FIREFOX_LINUX, "203.0.113.5")
    phone = device(user, CHROME_MAC, "198.51.100.7")
    sign_in(phone, user)  # the old token is rotated out, not counted
    assert signed_in(laptop) and signed_in(phone)


def test_without_a_cap_every_sign_in_stays(settings: Any, user: Any) -> None:
    assert settings.SESSIONS_MAX_PER_USER == 0
    browsers = [device(user, FIREFOX_LINUX, f"192.0.2.{n}") for n in range(1, 5)]
    assert all(signed_in(b) for b in browsers)
    html = browsers[-1].get("/account/sessions/").content.decode()
    assert "session-limit-notice" not in html


def test_a_negative_cap_is_a_configuration_error(settings: Any) -> None:
    settings.SESSIONS_MAX_PER_USER = -1
    (error,) = check_engine_and_middleware()
    assert error.id == "sessions_app.E004"
