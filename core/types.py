"""Typed requests for views: what the project's middleware and django-htmx attach.

Annotate a view's `request` with the narrowest one that holds for it, so mypy
knows `request.user` is a `User` behind `@login_required` and that
`request.tenant` exists under `t/<slug:tenant_slug>/`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from accounts.models import User
    from sessions_app.backends.db import SessionStore
    from tenants.models import Membership, Role, Tenant


class AuthenticatedRequest(HttpRequest):
    """A request to a `@login_required` view (sessions_app's session, a signed-in user)."""

    user: User
    session: SessionStore
    htmx: HtmxDetails


class TenantRequest(AuthenticatedRequest):
    """A request under `t/<slug:tenant_slug>/`, after TenantMiddleware found the membership."""

    tenant: Tenant
    membership: Membership
    role: Role
