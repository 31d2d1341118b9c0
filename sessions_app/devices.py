"""A readable label for a user agent: "Firefox on Linux", "Mobile Safari on iOS"."""

from __future__ import annotations

from functools import lru_cache

from ua_parser import parse

# ua-parser's names that people do not use.
OS_NAMES = {"Mac OS X": "macOS", "Chrome OS": "ChromeOS"}
MAX_LENGTH = 100


@lru_cache(maxsize=512)
def device_label(user_agent: str) -> str:
    """Browser and OS from the user agent; "Unknown device" when neither is known.

    Parsed only when a session is created or its user agent changes, never per request.
    """
    if not user_agent:
        return "Unknown device"
    result = parse(user_agent[:500])
    browser = result.user_agent.family if result.user_agent else None
    os_name = result.os.family if result.os else None
    if browser == "Other":
        browser = None
    if os_name == "Other":
        os_name = None
    os_name = OS_NAMES.get(os_name or "", os_name)
    if browser and os_name:
        label = f"{browser} on {os_name}"
    elif browser:
        label = browser
    elif os_name:
        label = f"Unknown browser on {os_name}"
    else:
        label = "Unknown device"
    return label[:MAX_LENGTH]
