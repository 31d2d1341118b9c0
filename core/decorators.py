"""Permission checks declared on tenant views, enforced on the server."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpRequest, HttpResponse

from core.permissions import ALL_PERMISSIONS

View = Callable[..., HttpResponse]


def tenant_permission_required(code: str) -> Callable[[View], View]:
    """Refuse (403) unless the current membership's role grants `code`.

    The role comes from TenantMiddleware on this very request, never from the session.
    """
    if code not in ALL_PERMISSIONS:
        raise ImproperlyConfigured(f"Unknown permission code {code!r}.")

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            role = getattr(request, "role", None)
            if role is None:
                raise ImproperlyConfigured(
                    f"{view.__qualname__} needs a tenant: "
                    "include its URL under t/<slug:tenant_slug>/."
                )
            if not role.has_permission(code):
                raise PermissionDenied(f"Your role does not include {code}.")
            return view(request, *args, **kwargs)

        # A marker read with getattr (by tests crawling the URL resolver); Callable types
        # have no attributes to declare it on.
        wrapped.tenant_permission = code  # type: ignore[attr-defined]
        return wrapped

    return decorator
