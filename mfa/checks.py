"""System checks: a relying party ID and origins that browsers will accept for
passkeys. A wrong one is found at start-up, not by the first person whose browser
refuses to make a passkey with a message that can only guess why."""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from mfa.passkeys import expected_origins, rp_id


def _ip_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _trusted_without_https(host: str) -> bool:
    """Browsers count these as secure over plain HTTP (W3C Secure Contexts)."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    address = _ip_address(host)
    return address is not None and address.is_loopback


@register()
def check_passkey_relying_party(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    configured = settings.MFA_WEBAUTHN_RP_ID
    if configured and (configured != configured.lower() or any(c in configured for c in ":/ ")):
        return [
            Error(
                f"MFA_WEBAUTHN_RP_ID is {configured!r}: a relying party ID is a host name in "
                "lower case, without a scheme, port or path.",
                hint="For https://app.example.com use app.example.com (or example.com).",
                id="mfa.E001",
            )
        ]
    party = rp_id()
    messages: list[CheckMessage] = []
    if _ip_address(party) is not None:
        messages.append(
            Warning(
                f"The passkeys' relying party ID is the IP address {party}: browsers refuse "
                "to make or use a passkey there.",
                hint="Serve the site at a host name (localhost while developing) in SITE_URL, "
                "or set MFA_WEBAUTHN_RP_ID.",
                id="mfa.W001",
            )
        )
    for origin in expected_origins():
        parts = urlsplit(origin)
        host = parts.hostname or ""
        if host != party and not host.endswith(f".{party}"):
            messages.append(
                Error(
                    f"Passkeys cannot work at {origin}: its host is not {party} (the relying "
                    "party ID) or a subdomain of it.",
                    hint="Set MFA_WEBAUTHN_RP_ID to the site's host or a parent domain of it, "
                    "and MFA_WEBAUTHN_ORIGINS to the addresses people open.",
                    id="mfa.E002",
                )
            )
        elif parts.scheme != "https" and not _trusted_without_https(host):
            messages.append(
                Warning(
                    f"Passkeys cannot work at {origin}: browsers offer them only over HTTPS "
                    "(or at localhost).",
                    hint="Serve the site over HTTPS and put its https:// address in SITE_URL.",
                    id="mfa.W002",
                )
            )
    return messages
