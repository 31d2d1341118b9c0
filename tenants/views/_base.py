"""Small helpers the tenancy views share (the page context is core.views.tenant_context)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django_htmx.http import HttpResponseClientRedirect

from core.types import TenantRequest

PERSONAL_WORKSPACE_NOTICE = gettext_lazy(
    "Your personal workspace is just for you, so it has no members, teams or roles. "
    "Create an organisation to invite people."
)


def back(request: TenantRequest, name: str) -> HttpResponse:
    return redirect(f"tenant:{name}", tenant_slug=request.tenant.slug)


def require_owner(request: TenantRequest) -> None:
    if not request.role.is_owner:
        raise PermissionDenied("Only an owner can do this.")


def organisation_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Members, teams and roles pages are for organisations. In a personal workspace
    (an old link, a typed URL) they send the person to its overview with the reason;
    that page offers to create an organisation."""

    @wraps(view)
    def wrapper(request: TenantRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.tenant.is_org:
            return view(request, *args, **kwargs)
        messages.info(request, str(PERSONAL_WORKSPACE_NOTICE))
        overview = reverse("tenant:dashboard", kwargs={"tenant_slug": request.tenant.slug})
        return HttpResponseClientRedirect(overview) if request.htmx else redirect(overview)

    return wrapper
