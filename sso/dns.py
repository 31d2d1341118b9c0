"""TXT lookups for domain verification and address lookups for fetching IdP metadata,
with dnspython.

SSO_DNS_NAMESERVERS ("host:port" entries) replaces the system resolver: tests point
it at a DNS server on loopback, and an operator may choose a resolver they trust."""

from __future__ import annotations

import ipaddress

import dns.exception
import dns.resolver
from django.conf import settings

from core.security_log import security_event


class LookupFailed(Exception):
    """The DNS could not answer (timeout, SERVFAIL): nothing is known either way."""


def _resolver() -> dns.resolver.Resolver:
    servers = settings.SSO_DNS_NAMESERVERS
    if not servers:
        resolver = dns.resolver.Resolver()
    else:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = []
        for entry in servers:
            host, _, port = entry.rpartition(":") if entry.count(":") == 1 else (entry, "", "")
            resolver.nameservers.append(host)
            if port:
                resolver.port = int(port)
    resolver.lifetime = 5.0
    return resolver


def txt_values(name: str) -> list[str]:
    """The TXT strings at `name` ([] when the name or record does not exist)."""
    try:
        answer = _resolver().resolve(name, "TXT")
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    except dns.exception.DNSException as error:
        security_event("sso.dns_lookup_failed", record=name, error=type(error).__name__)
        raise LookupFailed(name) from None
    return [b"".join(record.strings).decode(errors="replace") for record in answer]


def host_addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Every A and AAAA address of `host` (an IP literal is its own), or LookupFailed."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    resolver, found = _resolver(), []
    for record in ("A", "AAAA"):
        try:
            found += [ipaddress.ip_address(r.to_text()) for r in resolver.resolve(host, record)]
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            continue
        except dns.exception.DNSException as error:
            security_event("sso.dns_lookup_failed", record=host, error=type(error).__name__)
            raise LookupFailed(host) from None
    if not found:
        raise LookupFailed(host)
    return found
