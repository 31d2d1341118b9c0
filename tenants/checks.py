"""System checks: TenantMiddleware needs the user and the session before it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error

TENANT_MIDDLEWARE = "tenants.middleware.TenantMiddleware"


def check_middleware_order(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    middleware = list(settings.MIDDLEWARE)
    if TENANT_MIDDLEWARE not in middleware:
        return [
            Error(
                f"{TENANT_MIDDLEWARE} is missing from MIDDLEWARE.",
                hint="Add it after the authentication middleware; /t/<slug>/ pages need it.",
                id="tenants.E001",
            )
        ]
    position = middleware.index(TENANT_MIDDLEWARE)
    auth = [i for i, path in enumerate(middleware) if path.endswith("AuthenticationMiddleware")]
    if not auth or auth[0] > position:
        return [
            Error(
                f"{TENANT_MIDDLEWARE} must come after the authentication middleware.",
                hint="It reads request.user; move it below AuthenticationMiddleware.",
                id="tenants.E002",
            )
        ]
    return []
