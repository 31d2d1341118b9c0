"""The tenant's home page: what a team lead wants on arrival, and its setup checklist."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.types import TenantRequest
from core.views import tenant_context
from tenants import services
from tenants.selectors_overview import overview_get
from tenants.views._base import back


@require_GET
def dashboard(request: TenantRequest) -> HttpResponse:
    """Recent activity, members and teams, recent files, the plan and its usage, and the
    setup checklist: each shown as far as this member's role allows."""
    context = tenant_context(
        request,
        tab="dashboard",
        overview=overview_get(membership=request.membership, user=request.user),
    )
    return render(request, "tenants/dashboard.html", context)


@require_POST
def checklist_dismiss(request: TenantRequest) -> HttpResponse:
    """Hide the setup checklist for this member here. htmx swaps the card for a short
    notice; without JavaScript the overview reloads with the same notice flashed."""
    services.membership_checklist_dismiss(membership=request.membership)
    if request.htmx:
        return render(request, "tenants/dashboard.html#checklist-dismissed")
    messages.success(request, _("Setup checklist hidden."))
    return back(request, "dashboard")
