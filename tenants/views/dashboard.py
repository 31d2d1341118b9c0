"""The tenant's home page."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from billing.plans import plan_for_tenant
from core.types import TenantRequest
from core.views import tenant_context
from tenants.selectors import team_list_for_dashboard, tenant_counts


def dashboard(request: TenantRequest) -> HttpResponse:
    """Tenant name, your role, member and team counts, teams and the plan."""
    tenant = request.tenant
    teams = team_list_for_dashboard(tenant=tenant)
    context = tenant_context(
        request,
        tab="dashboard",
        counts=tenant_counts(tenant=tenant, teams_shown=teams),
        teams=teams,
        # The plan in force (Free without billing or a live subscription); no query:
        # the account came with the membership.
        plan=plan_for_tenant(tenant),
    )
    return render(request, "tenants/dashboard.html", context)
