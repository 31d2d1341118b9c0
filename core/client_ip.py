"""The client's IP address, as far as we can trust it.

By default only the socket address counts: a client cannot choose its own
rate-limit key or device IP by sending X-Forwarded-For. Forwarding headers are
honoured only when TRUSTED_PROXIES says how many proxies (a number) or which
proxies (CIDRs) stand in front of the app, and only the one header named by
CLIENT_IP_HEADER (the one your proxy sets or overwrites):

- `X-Forwarded-For` (default): every proxy appends the address it saw, so the
  chain is read from the right. With a count N the client is the address the
  outermost of the N proxies appended; with CIDRs it is the right-most address
  that is not a trusted proxy. Entries to its left are whatever the client sent
  and are ignored.
- `X-Real-IP` / `CF-Connecting-IP`: one address, set by the proxy (nginx
  `proxy_set_header X-Real-IP $remote_addr`; Cloudflare always overwrites
  CF-Connecting-IP). Choose these only if your proxy overwrites them.

Addresses are parsed by python-ipware (ports, brackets, IPv4-mapped IPv6); we do
the trust walk ourselves because django-ipware's proxy-count model counts the
entries inside the header, not the hops in front of us.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from python_ipware.modern.parsers import parse_ip, unwrap_ipv4

UNKNOWN = "0.0.0.0"  # noqa: S104 - a placeholder address, never bound
HEADERS = {
    "x-forwarded-for": "HTTP_X_FORWARDED_FOR",
    "x-real-ip": "HTTP_X_REAL_IP",
    "cf-connecting-ip": "HTTP_CF_CONNECTING_IP",
}

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def trusted_proxies(raw: str) -> tuple[int, tuple[Network, ...]]:
    """Parse TRUSTED_PROXIES: "" (none), "2" (a count) or "10.0.0.0/8, 192.168.1.5".

    Raises ImproperlyConfigured with the offending entry.
    """
    raw = (raw or "").strip()
    if not raw:
        return 0, ()
    if raw.isdigit():
        return int(raw), ()
    networks = []
    for part in raw.split(","):
        part = part.strip()
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES entry {part!r} is neither a proxy count nor an IP/CIDR "
                '(examples: "1", "10.0.0.0/8,2001:db8::/32").'
            ) from None
    return 0, tuple(networks)


def _meta_key(header: str) -> str:
    try:
        return HEADERS[header.strip().lower()]
    except KeyError:
        raise ImproperlyConfigured(
            f"CLIENT_IP_HEADER {header!r} is not supported: use one of "
            "X-Forwarded-For, X-Real-IP, CF-Connecting-IP."
        ) from None


def _parse(value: str | None) -> Address | None:
    ip = parse_ip(value) if value else None
    return unwrap_ipv4(ip) if ip is not None else None


def _trusted(ip: Address, networks: tuple[Network, ...]) -> bool:
    return any(ip.version == net.version and ip in net for net in networks)


def client_ip_once(request: HttpRequest) -> str:
    """`client_ip`, worked out at most once per request and only when something asks.

    The audit context, the session store and the rate limiter may all want it; most
    requests need it for none of them (no audit row, no activity write), so the
    middleware pass `functools.partial(client_ip_once, request)` around instead.
    """
    try:
        return request._client_ip  # type: ignore[attr-defined]
    except AttributeError:
        ip = client_ip(request)
        request._client_ip = ip  # type: ignore[attr-defined]
        return ip


def client_ip(request: HttpRequest) -> str:
    """The client IP for this request (a string; "0.0.0.0" if nothing usable)."""
    remote = _parse(request.META.get("REMOTE_ADDR"))
    if remote is None:
        return UNKNOWN
    count, networks = trusted_proxies(settings.TRUSTED_PROXIES)
    if not count and not networks:
        return str(remote)
    if networks and not _trusted(remote, networks):
        return str(remote)  # the request did not come through a trusted proxy
    meta_key = _meta_key(settings.CLIENT_IP_HEADER)
    value = request.META.get(meta_key, "")
    if not value:
        return str(remote)
    if meta_key != "HTTP_X_FORWARDED_FOR":
        single = _parse(value.split(",")[-1].strip())
        return str(single or remote)
    chain: list[Address | None] = [_parse(part.strip()) for part in value.split(",")]
    chain.append(remote)
    if count:
        # chain[-1] is the proxy that connected; the Nth hop from the right is the client.
        position = max(0, len(chain) - 1 - count)
        hop = chain[position]
        return str(hop) if hop is not None else str(remote)
    nearest = remote
    for hop in reversed(chain[:-1]):
        if hop is None:
            break  # garbage where a trusted proxy should have written an address
        if not _trusted(hop, networks):
            return str(hop)
        nearest = hop
    # Only trusted proxies (an internal health check, say) or unreadable input:
    # the nearest trusted hop, never something further left that a client wrote.
    return str(nearest)
