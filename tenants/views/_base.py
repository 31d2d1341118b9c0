"""What every tenant page template needs: the tenant and flags for what the role may do."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect

from tenants.exceptions import EscalationError, TenantRuleError
from tenants.permissions import ALL_PERMISSIONS
from tenants.types import TenantRequest


def tenant_context(request: TenantRequest, *, tab: str, **extra: Any) -> dict[str, Any]:
    """Flags are computed here so templates only display (`can.members_manage`, …)."""
    role = request.role
    can = {code.replace(".", "_"): role.has_permission(code) for code in ALL_PERMISSIONS}
    return {
        "tenant": request.tenant,
        "membership": request.membership,
        "role": role,
        "can": can,
        "is_owner": role.is_owner,
        "tab": tab,
        **extra,
    }


def run_action(request: TenantRequest, action: Callable[[], Any], *, success: str) -> str | None:
    """Run a service; return the rule it broke as a message (or None on success).

    Plain posts get the outcome as a flash message; htmx callers show it in place.
    """
    try:
        action()
    except (TenantRuleError, EscalationError) as error:
        message = str(error)
        if not request.htmx:
            messages.error(request, message)
        return message
    if not request.htmx:
        messages.success(request, success)
    return None


def back(request: TenantRequest, name: str) -> HttpResponse:
    return redirect(f"tenant:{name}", tenant_slug=request.tenant.slug)


def require_owner(request: TenantRequest) -> None:
    if not request.role.is_owner:
        raise PermissionDenied("Only an owner can do this.")
