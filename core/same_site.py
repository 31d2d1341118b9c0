"""Where it is safe to send someone next: the open-redirect rule, written once.

Every `next`, back link and Referer we follow goes through these, whichever app reads
it (the rate limiter's 429 page sits below accounts, so the rule lives here)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def same_site_url(request: HttpRequest, candidate: str) -> str:
    """`candidate` if it points at this site (a path or a URL on this host), else ""."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def same_site_path(request: HttpRequest, candidate: str) -> str:
    """`candidate` if it is a path on this site, else "" (a `next` typed by anyone).

    A leading "/" is required: relative paths, schemes (javascript:, https:) and
    protocol-relative forms ("//evil.com", "/\\\\evil.com") are all refused."""
    candidate = candidate.strip()
    if not candidate.startswith("/") or candidate.startswith(("//", "/\\")):
        return ""
    return same_site_url(request, candidate)


def same_site_page(request: HttpRequest, url: str) -> str:
    """The path and query of `url` (a Referer, htmx's current URL) when it is on this
    site, else "": the page a request came from, to send the person back to."""
    if not same_site_url(request, url):
        return ""
    parts = urlsplit(url)
    # A path of this site may itself read as another site ("http://us//evil.example/"
    # has the path "//evil.example/"), which a browser follows off-site.
    return same_site_path(request, parts.path + (f"?{parts.query}" if parts.query else ""))
