"""Small helpers the tenancy views share (the page context is core.views.tenant_context)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect

from core.types import TenantRequest


def back(request: TenantRequest, name: str) -> HttpResponse:
    return redirect(f"tenant:{name}", tenant_slug=request.tenant.slug)


def require_owner(request: TenantRequest) -> None:
    if not request.role.is_owner:
        raise PermissionDenied("Only an owner can do this.")
