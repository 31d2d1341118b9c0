"""Tenant pages. Thin: TenantMiddleware has already resolved request.tenant."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tenants.types import TenantRequest


def dashboard(request: TenantRequest) -> HttpResponse:
    return render(request, "tenants/dashboard.html")


@login_required
def app(request: HttpRequest) -> HttpResponse:
    """Send the user to the tenant they used last, or to their personal tenant."""
    from tenants.models import Membership

    active = request.session.get("active_tenant_id")
    membership = (
        Membership.objects.select_related("tenant")
        .filter(user=request.user, tenant__deleted_at__isnull=True)
        .filter(tenant_id=active)
        .first()
        if active
        else None
    ) or Membership.objects.select_related("tenant").get(
        user=request.user, tenant__personal_owner=request.user
    )
    return redirect("tenant:dashboard", tenant_slug=membership.tenant.slug)
