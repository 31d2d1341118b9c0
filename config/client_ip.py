"""The client's IP address, as far as we can trust it.

By default only the socket address counts: a client cannot choose its own
rate-limit key or device IP by sending X-Forwarded-For. Forwarding headers are
honoured only when TRUSTED_PROXIES says how many proxies (a number) or which
proxies (CIDRs) stand in front of the app. Parsing is django-ipware's.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip

# Headers proxies set, most specific first.
FORWARDING_HEADERS = ("HTTP_CF_CONNECTING_IP", "HTTP_X_REAL_IP", "HTTP_X_FORWARDED_FOR")


@lru_cache(maxsize=8)
def _trusted_proxies(raw: str) -> tuple[int | None, tuple[str, ...]]:
    """Parse TRUSTED_PROXIES: "" (none), "2" (a count) or "10.0.0.0/8,192.168.1.5"."""
    raw = raw.strip()
    if not raw:
        return None, ()
    if raw.isdigit():
        return int(raw), ()
    networks = tuple(
        str(ipaddress.ip_network(part.strip(), strict=False)) for part in raw.split(",")
    )
    return None, networks


def client_ip(request: HttpRequest) -> str:
    """The client IP for this request (a string; "0.0.0.0" if nothing usable)."""
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"  # noqa: S104 - not a bind
    count, networks = _trusted_proxies(settings.TRUSTED_PROXIES)
    if count is None and not networks:
        return remote
    if networks and not any(
        ipaddress.ip_address(remote) in ipaddress.ip_network(net) for net in networks
    ):
        return remote  # the request did not come through a trusted proxy
    ip, _routable = get_client_ip(
        request,
        proxy_count=count,
        request_header_order=FORWARDING_HEADERS,
    )
    return ip or remote
