"""SSO's DNS: TXT lookups for domain verification and address lookups for fetching IdP
metadata, through the resolvers SSO_DNS_NAMESERVERS names (core/dns.py). A lookup the
DNS could not answer goes to the security log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings

import core.dns
from core.dns import IPAddress, LookupFailed
from core.security_log import security_event

if TYPE_CHECKING:
    import dns.resolver

LIFETIME = 5.0


def _resolver() -> dns.resolver.Resolver:
    return core.dns.resolver(servers=settings.SSO_DNS_NAMESERVERS, lifetime=LIFETIME)


def txt_values(name: str) -> list[str]:
    """The TXT strings at `name` ([] when the name or record does not exist), or
    LookupFailed."""
    try:
        return core.dns.txt_values(name, resolver=_resolver())
    except LookupFailed as failed:
        _logged(failed)
        raise


def host_addresses(host: str) -> list[IPAddress]:
    """Every A and AAAA address of `host` (an IP literal is its own), or LookupFailed."""
    try:
        return core.dns.host_addresses(host, resolver=_resolver())
    except LookupFailed as failed:
        _logged(failed)
        raise


def _logged(failed: LookupFailed) -> None:
    if failed.error is not None:
        security_event(
            "sso.dns_lookup_failed", record=failed.name, error=type(failed.error).__name__
        )
