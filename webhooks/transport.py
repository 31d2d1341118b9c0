"""Sending one webhook request without letting its URL reach inside our network (SSRF).

The host is resolved once (dnspython, so tests and deployments can point it at their
own DNS server with WEBHOOKS_DNS_SERVERS), every address is checked, and the
connection goes to the checked address itself, with the name only in the Host header
and, for HTTPS, in SNI and certificate verification. A DNS answer that changes
between the check and the connection (DNS rebinding) therefore changes nothing.
Redirects are not followed, timeouts are short (each connection, each read, and the
whole request: `_Deadline`), and at most WEBHOOKS_RESPONSE_EXCERPT bytes of the answer
are read.

WEBHOOKS_ALLOW_PRIVATE (local development and tests only) lets private and
loopback addresses, and plain http, through.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import certifi
import dns.exception
import urllib3
from django.conf import settings
from django.utils.translation import gettext_noop

import core.dns
from core.dns import IPAddress
from webhooks.exceptions import AddressRefused, UnsafeDestination


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # with the query string
    address: str  # the checked IP we connect to

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        return self.host if self.port == default else f"{self.host}:{self.port}"


@dataclass(frozen=True)
class Answer:
    status: int | None
    body: str
    error: str  # in English, as the HTTP library says it (the worker's log, the admin)
    duration_ms: int
    # A network error as a sentence of ours, untranslated with its values (the page).
    reason: tuple[str, dict[str, Any]] | None = None
    truncated: bool = False  # the answer went on past WEBHOOKS_RESPONSE_EXCERPT bytes


# Reasons said in more than one place (the log, the delivery page, kept attempts).
PRIVATE_ADDRESS = gettext_noop(
    "%(host)s leads to a private or reserved address; webhooks only go to public addresses."
)
DNS_FAILED = gettext_noop("%(host)s could not be resolved: its DNS servers failed to answer.")
# A reason reworded: its old words to its new ones, so that attempts kept before show
# as the new words (webhooks.models.kept_error_said, without the internal address or
# resolver they named) and are classed by them (`Attempt.was_sent`).
REWORDED = {
    "%(host)s leads to %(address)s, a private or reserved address; webhooks only go to "
    "public addresses.": PRIVATE_ADDRESS,
    "%(host)s could not be resolved (%(error)s).": DNS_FAILED,
}

# Failures before the request left: the connection or its TLS handshake never came up,
# so the delivery page shows no headers as sent.
REFUSED_CONNECTION = gettext_noop("%(host)s refused the connection on port %(port)s.")
UNREACHABLE = gettext_noop("%(host)s could not be reached on port %(port)s.")
CONNECT_TIMEOUT = gettext_noop("%(host)s did not accept a connection within %(seconds)s seconds.")
CERTIFICATE_UNVERIFIED = gettext_noop(
    "%(host)s's certificate could not be verified: it must be valid for that "
    "name and signed by a public certificate authority."
)
HANDSHAKE_FAILED = gettext_noop("A secure (HTTPS) connection to %(host)s on port %(port)s failed.")
TOOK_TOO_LONG = gettext_noop("%(host)s took longer than %(seconds)s seconds to answer.")
NEVER_CONNECTED = frozenset(
    {REFUSED_CONNECTION, UNREACHABLE, CONNECT_TIMEOUT, CERTIFICATE_UNVERIFIED, HANDSHAKE_FAILED}
)


def address_allowed(address: IPAddress, *, allow_private: bool | None = None) -> bool:
    """Public unicast only (unless `allow_private`, by default WEBHOOKS_ALLOW_PRIVATE):
    no private, loopback, link-local (169.254.169.254, the cloud metadata service),
    shared, multicast, reserved or unspecified address, also not hidden in an
    IPv4-mapped or a 6to4 IPv6 address (2002:7f00:1:: is 127.0.0.1 on a host with a 6to4
    route; Python calls 2002::/16 global). Teredo and NAT64 prefixes are not global or
    reserved, so they are refused as they are; nor site-local or documentation IPv6
    (below). sso's metadata fetch asks the same question."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    inner = address.sixtofour if isinstance(address, ipaddress.IPv6Address) else None
    if inner is not None and not address_allowed(inner, allow_private=allow_private):
        return False
    if address.is_multicast or address.is_unspecified:
        return False
    if settings.WEBHOOKS_ALLOW_PRIVATE if allow_private is None else allow_private:
        return True
    return (
        address.is_global
        and not (address.is_reserved or address.is_link_local)
        and not any(address in network for network in _NOT_ROUTED_YET_GLOBAL)
    )


# IPv6 ranges Python 3.11 still calls global: the deprecated site-local fec0::/10 (some
# internal networks use it) and the documentation prefix 3fff::/20 (RFC 9637).
_NOT_ROUTED_YET_GLOBAL = (
    ipaddress.IPv6Network("fec0::/10"),
    ipaddress.IPv6Network("3fff::/20"),
)


def _resolve(host: str) -> list[IPAddress]:
    resolver = core.dns.resolver(
        servers=settings.WEBHOOKS_DNS_SERVERS, lifetime=settings.WEBHOOKS_DNS_TIMEOUT
    )
    try:
        return core.dns.host_addresses(host, resolver=resolver)
    except core.dns.LookupFailed as failed:
        if failed.error is None:
            refusal = UnsafeDestination.because(
                gettext_noop("%(host)s does not resolve to any address."), host=host
            )
        elif isinstance(failed.error, dns.exception.Timeout):
            refusal = UnsafeDestination.because(
                gettext_noop("%(host)s could not be resolved: the DNS did not answer in time."),
                host=host,
            )
        else:
            # Not dnspython's words: they name our resolver ("Server Do53:10.0.0.2@53
            # answered SERVFAIL"), for anyone whose domain fails on purpose to read.
            refusal = UnsafeDestination.because(DNS_FAILED, host=host)
        raise refusal from None


def _loopback_name(host: str) -> bool:
    """ "localhost" and its subdomains name this machine (RFC 6761)."""
    name = host.lower()
    return name == "localhost" or name.endswith(".localhost")


def target_check(url: str) -> Target:
    """The URL's checked destination, or UnsafeDestination saying why not (its reason
    kept with its values: the endpoint page shows a delivery's refusal to each reader in
    their language). AddressRefused when the address policy itself refuses the host:
    a private, loopback or reserved address, or this server's name."""
    parts = urlsplit(url)
    allowed_schemes = ("https", "http") if settings.WEBHOOKS_ALLOW_PRIVATE else ("https",)
    if parts.scheme not in allowed_schemes:
        raise UnsafeDestination.because(gettext_noop("Webhook URLs must start with https://."))
    if parts.username or parts.password:
        raise UnsafeDestination.because(
            gettext_noop("Webhook URLs cannot contain a user name or password.")
        )
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeDestination.because(gettext_noop("The URL has no host name."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeDestination.because(gettext_noop("The URL's port is not valid.")) from None
    if _loopback_name(host) and not settings.WEBHOOKS_ALLOW_PRIVATE:
        # Not asked of the DNS, which rightly knows no "localhost" ("does not resolve").
        raise AddressRefused.because(
            gettext_noop("%(host)s is this server; webhooks only go to public addresses."),
            host=host,
        )
    addresses = _resolve(host)
    refused = [a for a in addresses if not address_allowed(a)]
    if refused and str(refused[0]) == host:  # an address typed as such: said once
        raise AddressRefused.because(
            gettext_noop(
                "%(host)s is a private or reserved address; webhooks only go to public addresses."
            ),
            host=host,
        )
    if refused:
        # The address stays in the security log (`address`), never in what the form or
        # the log says: whoever may add an endpoint would map our internal DNS with it.
        raise AddressRefused.because(PRIVATE_ADDRESS, host=host, address=str(refused[0]))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port, path, str(addresses[0]))


class _Deadline:
    """Cuts an attempt's connection once WEBHOOKS_TOTAL_TIMEOUT has passed. urllib3's
    timeouts bound each socket operation, not the request: a receiver sending one byte
    every second (of its TLS handshake, status line, headers or body) held the worker
    for as long as it liked, past the delivery's claim, and a second worker then sent
    the delivery too. Shutting the socket down from a timer thread ends the read it is
    blocked in."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.passed = False  # final once the `with` block has ended
        self._over = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._cut)
        self._timer.daemon = True

    def watch(self, sock: socket.socket) -> None:
        # A descriptor of our own: shut down whatever wraps the original (TLS takes it
        # over) or has closed it, and never one the process has reused meanwhile.
        own = sock.dup()
        with self._lock:
            self._sockets.append(own)
            if self.passed:
                _shut(own)

    def finish(self) -> None:
        """The answer is read: the timer firing from now on (between the read and the
        end of the `with` block) would have called a finished request timed out."""
        with self._lock:
            self._over = True

    def _cut(self) -> None:
        with self._lock:
            if self._over:
                return
            self.passed = True
            for sock in self._sockets:
                _shut(sock)

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        with self._lock:
            self._over = True
            for sock in self._sockets:
                sock.close()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # not connected (any more): nothing left to cut
        sock.shutdown(socket.SHUT_RDWR)


class _WatchedConnection(urllib3.connection.HTTPConnection):
    """A connection whose socket its attempt's `_Deadline` watches."""

    def __init__(self, *args: Any, deadline: _Deadline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deadline = deadline

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        self.deadline.watch(sock)
        return sock


class _WatchedHTTPSConnection(_WatchedConnection, urllib3.connection.HTTPSConnection):
    pass


def target_post(target: Target, *, body: bytes, headers: dict[str, str]) -> Answer:
    """POST to the checked address; never raises for network trouble (it is an Answer).
    The whole request, the answer's excerpt read, takes at most WEBHOOKS_TOTAL_TIMEOUT."""
    timeout = urllib3.Timeout(
        connect=settings.WEBHOOKS_CONNECT_TIMEOUT, read=settings.WEBHOOKS_READ_TIMEOUT
    )
    deadline = _Deadline(settings.WEBHOOKS_TOTAL_TIMEOUT)
    pool: urllib3.HTTPConnectionPool
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            target.address,
            target.port,
            timeout=timeout,
            retries=False,
            maxsize=1,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
            deadline=deadline,
        )
        pool.ConnectionCls = _WatchedHTTPSConnection
    else:
        pool = urllib3.HTTPConnectionPool(
            target.address,
            target.port,
            timeout=timeout,
            retries=False,
            maxsize=1,
            deadline=deadline,
        )
        pool.ConnectionCls = _WatchedConnection
    started = time.monotonic()
    failure: urllib3.exceptions.HTTPError | None = None
    try:
        with deadline:
            response = pool.urlopen(
                "POST",
                target.path,
                body=body,
                headers={**headers, "Host": target.host_header},
                redirect=False,
                retries=False,
                preload_content=False,
                assert_same_host=False,
            )
            try:
                # One byte more than is kept: whether the answer was cut, in bytes (its
                # decoded text can be longer: each invalid byte becomes U+FFFD).
                excerpt = response.read(
                    settings.WEBHOOKS_RESPONSE_EXCERPT + 1, decode_content=False
                )
                deadline.finish()
            finally:
                response.release_conn()
                response.close()
            status = response.status
    except urllib3.exceptions.HTTPError as exc:
        failure = exc
    finally:
        pool.close()
    duration = int((time.monotonic() - started) * 1000)
    if deadline.passed:  # what was cut short says nothing (a hang-up, a short answer)
        seconds = _seconds(deadline.seconds)
        error = f"TimeoutError: the request took longer than {seconds} s in all."
        reason = (TOOK_TOO_LONG, {"host": target.host, "port": target.port, "seconds": seconds})
        return Answer(None, "", error, duration, reason=reason)
    if failure is not None:
        error = f"{type(failure).__name__}: {failure}"[:300]
        return Answer(None, "", error, duration, reason=_network_reason(failure, target))
    kept = excerpt[: settings.WEBHOOKS_RESPONSE_EXCERPT]
    return Answer(
        status,
        kept.decode("utf-8", "replace"),
        "",
        duration,
        truncated=len(excerpt) > len(kept),
    )


def _seconds(value: float) -> str:
    return f"{value:g}"


def _network_reason(
    exc: urllib3.exceptions.HTTPError, target: Target
) -> tuple[str, dict[str, Any]]:
    """What went wrong on the way, said for the endpoint's owner (the library's own
    words stay in `Answer.error` for whoever debugs it)."""
    where = {"host": target.host, "port": target.port}
    causes = [exc.__cause__, exc.__context__]
    # NewConnectionError is a ConnectTimeoutError to urllib3: asked first.
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        if any(isinstance(cause, ConnectionRefusedError) for cause in causes):
            return REFUSED_CONNECTION, where
        return UNREACHABLE, where
    if isinstance(exc, urllib3.exceptions.ConnectTimeoutError):
        seconds = _seconds(settings.WEBHOOKS_CONNECT_TIMEOUT)
        return CONNECT_TIMEOUT, where | {"seconds": seconds}
    if isinstance(exc, urllib3.exceptions.ReadTimeoutError):
        seconds = _seconds(settings.WEBHOOKS_READ_TIMEOUT)
        return (
            gettext_noop("%(host)s did not answer within %(seconds)s seconds."),
            where | {"seconds": seconds},
        )
    if isinstance(exc, urllib3.exceptions.SSLError):
        if any(isinstance(cause, ssl.SSLCertVerificationError) for cause in causes):
            return CERTIFICATE_UNVERIFIED, where
        return HANDSHAKE_FAILED, where
    if isinstance(exc, urllib3.exceptions.ProtocolError):
        return gettext_noop("%(host)s closed the connection before answering."), where
    return gettext_noop("The request to %(host)s failed."), where
