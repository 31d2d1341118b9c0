"""Response headers Django's SecurityMiddleware does not set itself.

Content-Security-Policy comes from django-csp (CONTENT_SECURITY_POLICY in
settings); HSTS, Referrer-Policy, Cross-Origin-Opener-Policy and nosniff from
SecurityMiddleware; X-Frame-Options from XFrameOptionsMiddleware.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


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
