"""Response headers Django's SecurityMiddleware does not set itself.

Content-Security-Policy comes from django-csp (CONTENT_SECURITY_POLICY in
settings); HSTS, Referrer-Policy, Cross-Origin-Opener-Policy and nosniff from
SecurityMiddleware; X-Frame-Options from XFrameOptionsMiddleware.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


def permissions_policy_header() -> str:
    """`PERMISSIONS_POLICY` ({feature: [allowlist]}) as a header value; [] disables the feature."""
    return ", ".join(
        f"{feature}=({' '.join(allow)})" for feature, allow in settings.PERMISSIONS_POLICY.items()
    )


class PermissionsPolicyMiddleware:
    """Adds Permissions-Policy to every response that does not carry its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", permissions_policy_header())
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
            patch_cache_control(response, private=True, no_store=True)
        return response


def _signed_in(request: HttpRequest) -> bool:
    # Without the session cookie nobody is signed in: no session is loaded to find out.
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated
