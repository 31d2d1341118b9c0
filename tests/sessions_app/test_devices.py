from __future__ import annotations

import pytest
from django.utils import translation

from sessions_app.devices import device_fields, device_label, device_said
from tests.sessions_app.helpers import CHROME_MAC, FIREFOX_LINUX


@pytest.mark.parametrize(
    ("user_agent", "label"),
    [
        (FIREFOX_LINUX, "Firefox on Linux"),
        (CHROME_MAC, "Chrome on macOS"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "Mobile Safari on iOS",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
            "Edge on Windows",
        ),
        ("curl/8.0.1", "curl"),
        ("", "Unknown device"),
        ("\x00 nonsense \x01", "Unknown device"),
    ],
)
def test_device_label(user_agent: str, label: str) -> None:
    assert device_label(user_agent) == label


@pytest.mark.parametrize(
    ("user_agent", "fields"),
    [
        (FIREFOX_LINUX, {"device": "Firefox on Linux", "browser": "Firefox", "system": "Linux"}),
        ("curl/8.0.1", {"device": "curl", "browser": "curl", "system": ""}),
        ("", {"device": "Unknown device", "browser": "", "system": ""}),
    ],
)
def test_the_browser_and_the_system_are_stored_apart_beside_the_english_label(
    user_agent: str, fields: dict[str, str]
) -> None:
    assert device_fields(user_agent) == fields


@pytest.mark.parametrize(
    ("browser", "system", "stored", "german"),
    [
        ("Firefox", "Linux", "Firefox on Linux", "Firefox unter Linux"),
        ("curl", "", "curl", "curl"),
        ("", "Linux", "Unknown browser on Linux", "Unbekannter Browser unter Linux"),
        ("", "", "Unknown device", "Unbekanntes Gerät"),
        ("", "", "", "Unbekanntes Gerät"),
        # A row written before the parts were kept: its English label, as it was shown.
        ("", "", "Firefox on Linux", "Firefox on Linux"),
    ],
)
def test_the_label_is_said_in_the_readers_language(
    browser: str, system: str, stored: str, german: str
) -> None:
    with translation.override("de"):
        assert device_said(browser=browser, system=system, stored=stored) == german
    with translation.override("en"):
        assert device_said(browser=browser, system=system, stored=stored) == (
            stored or "Unknown device"
        )
