"""Fetching an IdP's SAML metadata from the URL its owner gave, without letting that
URL reach inside our network (SSRF).

The host is resolved once (sso.dns, so SSO_DNS_NAMESERVERS applies), every address
must be public (webhooks.transport's rule), and the connection goes to the checked
address itself, the name only in the Host header and, for https, in SNI and the
certificate check: a DNS answer that changes after the check (rebinding) changes
nothing. No redirect is followed, the time is bounded by SSO_HTTP_TIMEOUT and at most
SSO_METADATA_MAX_BYTES are read. SSO_METADATA_ALLOW_PRIVATE (local development and
tests only) lets plain http and private or loopback addresses through.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import certifi
import urllib3
from django.conf import settings
from django.utils.translation import gettext_noop

from core.dns import LookupFailed
from core.security_log import security_event
from sso.dns import host_addresses
from sso.exceptions import ConnectionRefused
from webhooks.transport import address_allowed


def metadata_url_check(url: str) -> str:
    """The URL, stripped, or ConnectionRefused when its shape is not acceptable."""
    url = url.strip()
    parts = urlsplit(url)
    schemes = ("https", "http") if settings.SSO_METADATA_ALLOW_PRIVATE else ("https",)
    if parts.scheme not in schemes or not parts.hostname or parts.fragment:
        raise ConnectionRefused.because(
            gettext_noop("The metadata URL must be an https:// address.")
        )
    if parts.username or parts.password:
        raise ConnectionRefused.because(
            gettext_noop("The metadata URL cannot contain a user name or password.")
        )
    try:
        parts.port  # noqa: B018 (a bad port raises)
    except ValueError:
        raise ConnectionRefused.because(
            gettext_noop("The metadata URL's port is not valid.")
        ) from None
    return url


def _read_bounded(response: urllib3.BaseHTTPResponse, *, limit: int) -> bytes:
    """At most `limit` bytes, within SSO_HTTP_TIMEOUT overall: the read timeout bounds
    each wait, not a server trickling a byte at a time."""
    deadline = time.monotonic() + settings.SSO_HTTP_TIMEOUT
    body = b""
    while len(body) < limit:
        chunk = response.read1(min(65536, limit - len(body)))
        if not chunk:
            break
        body += chunk
        if time.monotonic() > deadline:
            raise ConnectionRefused.because(
                gettext_noop("The metadata URL took too long to answer.")
            )
    return body


def metadata_fetch(url: str) -> str:
    """The document at `url` (UTF-8 text), or ConnectionRefused saying why not."""
    url = metadata_url_check(url)
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = host_addresses(host)
    except LookupFailed:
        raise ConnectionRefused.because(
            gettext_noop("%(host)s could not be resolved. Check the metadata URL."), host=host
        ) from None
    allow_private = settings.SSO_METADATA_ALLOW_PRIVATE
    refused = [a for a in addresses if not address_allowed(a, allow_private=allow_private)]
    if refused:
        security_event("sso.metadata_url_refused", host=host, address=str(refused[0]))
        raise ConnectionRefused.because(
            gettext_noop(
                "%(host)s leads to a private or reserved address; the metadata URL must be "
                "on the internet."
            ),
            host=host,
        )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    timeout = urllib3.Timeout(connect=settings.SSO_HTTP_TIMEOUT, read=settings.SSO_HTTP_TIMEOUT)
    pool: urllib3.HTTPConnectionPool
    if parts.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            str(addresses[0]),
            port,
            timeout=timeout,
            retries=False,
            maxsize=1,
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
        )
    else:
        pool = urllib3.HTTPConnectionPool(
            str(addresses[0]), port, timeout=timeout, retries=False, maxsize=1
        )
    limit = settings.SSO_METADATA_MAX_BYTES
    default_port = 443 if parts.scheme == "https" else 80
    try:
        response = pool.urlopen(
            "GET",
            path,
            headers={
                "Host": host if port == default_port else f"{host}:{port}",
                "Accept": "application/samlmetadata+xml, application/xml, text/xml",
            },
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            body = _read_bounded(response, limit=limit + 1)
        finally:
            response.release_conn()
            response.close()
    except urllib3.exceptions.HTTPError as error:
        security_event("sso.metadata_fetch_failed", host=host, error=type(error).__name__)
        raise ConnectionRefused.because(
            gettext_noop("Could not read the metadata URL (%(error)s)."),
            error=type(error).__name__,
        ) from None
    finally:
        pool.close()
    if response.status != 200:
        raise ConnectionRefused.because(
            gettext_noop(
                "The metadata URL answered %(status)s, not the metadata (redirects are "
                "not followed)."
            ),
            status=response.status,
        )
    if len(body) > limit:
        raise ConnectionRefused.because(gettext_noop("The metadata at that URL is too large."))
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise ConnectionRefused.because(
            gettext_noop("The metadata at that URL is not UTF-8 XML.")
        ) from None
