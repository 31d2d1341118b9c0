"""Response headers Django's SecurityMiddleware does not set itself.

Content-Security-Policy comes from django-csp (CONTENT_SECURITY_POLICY in
settings); HSTS, Referrer-Policy, Cross-Origin-Opener-Policy and nosniff from
SecurityMiddleware; X-Frame-Options from XFrameOptionsMiddleware.

Both policies are the same string for every response (no page uses a nonce or a
per-view CSP decorator), so they are built once per process instead of once per
request: django-csp's builder alone was about a fifth of `/healthz/`'s CPU time
(`python -m bench.page_cpu`). The cache is dropped whenever a setting it reads
changes (`setting_changed`, sent by `override_settings` in tests).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase

from core.cache_headers import private_no_store

# Settings the cached headers are built from.
_HEADER_SETTINGS = frozenset(
    {"CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY", "PERMISSIONS_POLICY"}
)
# Response attributes django-csp's decorators set: such a response gets its own policy.
_PER_RESPONSE = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)


def permissions_policy_header() -> str:
    """`PERMISSIONS_POLICY` ({feature: [allowlist]}) as a header value; [] disables the feature."""
    return ", ".join(
        f"{feature}=({' '.join(allow)})" for feature, allow in settings.PERMISSIONS_POLICY.items()
    )


@cache
def _permissions_policy() -> str:
    return permissions_policy_header() if settings.PERMISSIONS_POLICY else ""


@cache
def _csp_headers() -> tuple[tuple[str, str, str, tuple[str, ...]], ...]:
    """(header, value, exemption attribute, excluded URL prefixes) for each policy that
    is set, exactly as django-csp builds them when no nonce or decorator is involved."""
    headers = []
    for name, report_only, setting, exempt in (
        (HEADER, False, "CONTENT_SECURITY_POLICY", "_csp_exempt"),
        (HEADER_REPORT_ONLY, True, "CONTENT_SECURITY_POLICY_REPORT_ONLY", "_csp_exempt_ro"),
    ):
        value = build_policy(report_only=report_only)
        if value:
            policy = getattr(settings, setting, None) or {}
            prefixes = tuple(policy.get("EXCLUDE_URL_PREFIXES", None) or ())
            headers.append((name, value, exempt, prefixes))
    return tuple(headers)


@receiver(setting_changed, dispatch_uid="config.security_headers.cache_clear")
def _headers_cache_clear(*, setting: str, **kwargs: Any) -> None:
    if setting in _HEADER_SETTINGS:
        _permissions_policy.cache_clear()
        _csp_headers.cache_clear()


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware with the policy built once per process.

    A response that used a nonce or one of django-csp's decorators goes through the
    library's own per-request path, so behaviour is the library's in every case.
    """

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, attr, None) is not None for attr in _PER_RESPONSE
        ):
            return super().process_response(request, response)
        if response.status_code in (404, 500) and settings.DEBUG:
            return response  # the debug pages, as django-csp leaves them
        for name, value, exempt, prefixes in _csp_headers():
            if (
                name not in response
                and getattr(response, exempt, False) is False
                and not request.path_info.startswith(prefixes)
            ):
                response[name] = value
        # As the library does: a nonce asked for after the header was written raises.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response


class PermissionsPolicyMiddleware:
    """Adds Permissions-Policy to every response that does not carry its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        value = _permissions_policy()
        if value:
            response.headers.setdefault("Permissions-Policy", value)
        return response


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on signed-in responses that set no policy.

    A signed-in page holds someone's data: neither a shared proxy nor the browser's
    back/forward cache on a shared computer may keep it. A response that chose its
    own policy keeps it: never_cache pages, member files on /serve (`private,
    no-cache`, revalidated by ETag) and public avatars and logos (public by design).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Cache-Control" not in response.headers and _signed_in(request):
            private_no_store(response)
        return response


def _signed_in(request: HttpRequest) -> bool:
    # Without the session cookie nobody is signed in: no session is loaded to find out.
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated
