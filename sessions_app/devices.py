"""What device a user agent is: "Firefox on Linux", "Mobile Safari on iOS".

The browser and the system are kept apart so the label can be said in the reader's
language ("Firefox unter Linux"); the English label is stored beside them for the
admin, its search and the data export.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from django.utils import translation
from django.utils.translation import gettext
from ua_parser import parse

# ua-parser's names that people do not use.
OS_NAMES = {"Mac OS X": "macOS", "Chrome OS": "ChromeOS"}
MAX_LENGTH = 100
BROWSER_MAX_LENGTH = 60
SYSTEM_MAX_LENGTH = 40
UNKNOWN = "Unknown device"


class Device(NamedTuple):
    """Product names, never translated; "" when ua-parser does not know it."""

    browser: str
    system: str


@lru_cache(maxsize=512)
def device_parts(user_agent: str) -> Device:
    """Browser and system from the user agent.

    Parsed only when a session is created or its user agent changes, never per request.
    """
    if not user_agent:
        return Device("", "")
    result = parse(user_agent[:500])
    browser = result.user_agent.family if result.user_agent else ""
    system = result.os.family if result.os else ""
    browser = "" if browser == "Other" else browser
    system = "" if system == "Other" else OS_NAMES.get(system, system)
    return Device(browser[:BROWSER_MAX_LENGTH], system[:SYSTEM_MAX_LENGTH])


def device_label(user_agent: str) -> str:
    """The stored English label: `device_said` in English."""
    browser, system = device_parts(user_agent)
    with translation.override("en"):
        return device_said(browser=browser, system=system)[:MAX_LENGTH]


def device_fields(user_agent: str) -> dict[str, str]:
    """The three stored fields of a session or failed sign-in, from its user agent."""
    browser, system = device_parts(user_agent)
    return {"device": device_label(user_agent), "browser": browser, "system": system}


def device_said(*, browser: str, system: str, stored: str = "") -> str:
    """The label in the active language. A row written before the parts were kept has
    only its English label (`stored`), shown as it is until the row ages out."""
    if browser and system:
        return gettext("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    if browser:
        return browser
    if system:
        return gettext("Unknown browser on %(system)s") % {"system": system}
    if stored and stored != UNKNOWN:
        return stored
    return gettext("Unknown device")
