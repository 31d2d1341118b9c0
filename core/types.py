"""A typed request for tenant views: what TenantMiddleware and django-htmx attach."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from accounts.models import User
    from tenants.models import Membership, Role, Tenant


class TenantRequest(HttpRequest):
    user: User
    tenant: Tenant
    membership: Membership
    role: Role
    htmx: HtmxDetails
