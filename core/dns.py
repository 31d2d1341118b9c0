"""Address and TXT lookups through dnspython, against the resolvers a setting names.

Two features must ask the DNS itself rather than whatever the system resolver, its cache
or /etc/hosts would say: SSO (verified domains' TXT records, an IdP metadata host's
addresses; SSO_DNS_NAMESERVERS) and webhooks (an endpoint's addresses, each checked
before connecting to it; WEBHOOKS_DNS_SERVERS). Tests point either setting at a DNS
server on loopback; an operator may choose a resolver they trust.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

import dns.exception
import dns.nameserver
import dns.resolver

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
DNS_PORT = 53


class LookupFailed(Exception):
    """No usable answer for `name`: `error` is how the DNS failed (a timeout, SERVFAIL),
    None when it answered that the name has no address."""

    def __init__(self, name: str, *, error: dns.exception.DNSException | None = None) -> None:
        super().__init__(name)
        self.name, self.error = name, error


def nameserver(entry: str) -> dns.nameserver.Do53Nameserver:
    """A server from a setting: "192.0.2.53", "192.0.2.53:5353", "2001:db8::53" or
    "[2001:db8::53]:5353" (port 53 unless one is given); ValueError for anything else
    (a host name would itself need a resolver)."""
    host, port = entry, ""
    if entry.startswith("["):
        host, bracket, rest = entry[1:].partition("]")
        port = rest.removeprefix(":")
        if not bracket or (rest and not rest.startswith(":")):
            host = ""
    elif entry.count(":") == 1:
        host, _, port = entry.partition(":")
    try:
        address = ipaddress.ip_address(host)
        number = int(port) if port else DNS_PORT
    except ValueError:
        raise ValueError(
            f"{entry!r} is not a DNS server: give an IP address, ip:port or [ipv6]:port."
        ) from None
    if not 0 < number < 65536:
        raise ValueError(f"{entry!r} is not a DNS server: its port is out of range.")
    return dns.nameserver.Do53Nameserver(str(address), number)


def servers_refused(entries: Sequence[str]) -> list[str]:
    """Why each entry of a DNS server setting cannot be used ([] when all can)."""
    refused = []
    for entry in entries:
        try:
            nameserver(entry)
        except ValueError as error:
            refused.append(str(error))
    return refused


def resolver(*, servers: Sequence[str], lifetime: float) -> dns.resolver.Resolver:
    """The system's resolver, or only `servers`; no lookup waits longer than `lifetime`
    seconds in all."""
    if servers:
        chosen = dns.resolver.Resolver(configure=False)
        chosen.nameservers = [nameserver(entry) for entry in servers]
    else:
        chosen = dns.resolver.Resolver()
    chosen.lifetime = lifetime
    return chosen


def host_addresses(host: str, *, resolver: dns.resolver.Resolver) -> list[IPAddress]:
    """Every A and AAAA address of `host` (an IP literal is its own), or LookupFailed."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    found: list[IPAddress] = []
    for record in ("A", "AAAA"):
        try:
            found += [ipaddress.ip_address(r.to_text()) for r in resolver.resolve(host, record)]
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            continue
        except dns.exception.DNSException as error:
            raise LookupFailed(host, error=error) from None
    if not found:
        raise LookupFailed(host)
    return found


def txt_values(name: str, *, resolver: dns.resolver.Resolver) -> list[str]:
    """The TXT strings at `name` ([] when the name or the record does not exist), or
    LookupFailed when the DNS could not say."""
    try:
        answer = resolver.resolve(name, "TXT")
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    except dns.exception.DNSException as error:
        raise LookupFailed(name, error=error) from None
    return [b"".join(record.strings).decode(errors="replace") for record in answer]
