"""The plan's gate declared on a tenant view, for its POSTs: refused before the view
asks for a password or reads the form."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

from billing.plans import plan_require

View = Callable[..., HttpResponse]


def plan_feature_required(feature: str) -> Callable[[View], View]:
    """Raise PlanLimitReached (the billing middleware's 403 upgrade page, or a toast
    for htmx) unless the tenant's plan includes `feature`. The service checks again,
    for callers that are not views."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            tenant = getattr(request, "tenant", None)
            if tenant is None:
                raise ImproperlyConfigured(
                    f"{view.__qualname__} needs a tenant: "
                    "include its URL under t/<slug:tenant_slug>/."
                )
            plan_require(tenant=tenant, feature=feature)
            return view(request, *args, **kwargs)

        wrapped.plan_feature = feature  # type: ignore[attr-defined]
        return wrapped

    return decorator
