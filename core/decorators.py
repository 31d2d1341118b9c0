"""Permission checks declared on tenant views, enforced on the server."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from core.permissions import ALL_PERMISSIONS

# What the decorator returns is the view's own type: a streamed answer (the audit log's
# CSV) stays one.
AnyView = TypeVar("AnyView", bound=Callable[..., HttpResponseBase])


class PermissionMissing(PermissionDenied):
    """The member's role lacks the permission a page needs: `code` names it, so the 403
    page can say which and whom to ask (config.views.permission_denied)."""

    def __init__(self, code: str) -> None:
        super().__init__(f"Your role does not include {code}.")
        self.code = code


def tenant_permission_required(code: str) -> Callable[[AnyView], AnyView]:
    """Refuse (403) unless the current membership's role grants `code`.

    The role comes from TenantMiddleware on this very request, never from the session.
    """
    if code not in ALL_PERMISSIONS:
        raise ImproperlyConfigured(f"Unknown permission code {code!r}.")

    def decorator(view: AnyView) -> AnyView:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            role = getattr(request, "role", None)
            if role is None:
                raise ImproperlyConfigured(
                    f"{view.__qualname__} needs a tenant: "
                    "include its URL under t/<slug:tenant_slug>/."
                )
            if not role.has_permission(code):
                raise PermissionMissing(code)
            return view(request, *args, **kwargs)

        # A marker read with getattr (by tests crawling the URL resolver); Callable types
        # have no attributes to declare it on.
        wrapped.tenant_permission = code  # type: ignore[attr-defined]
        return cast("AnyView", wrapped)

    return decorator
