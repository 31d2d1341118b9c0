"""The two-factor requirement: owners set it on the settings page; members without a
second factor are sent to `required` once the grace period is over."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from core.errors import run_action
from core.types import TenantRequest
from mfa.decorators import reauth_required
from tenants.forms import TwoFactorPolicyForm
from tenants.middleware_two_factor import member_has_two_factor
from tenants.services.two_factor import (
    tenant_two_factor_release,
    tenant_two_factor_require,
)
from tenants.views._base import back, require_owner
from tenants.views.settings import settings_page_with


@require_POST
@reauth_required
def two_factor_policy(request: TenantRequest) -> HttpResponse:
    """Owners require two-factor authentication (with a grace period) or stop requiring it."""
    require_owner(request)
    if request.POST.get("action") == "release":
        run_action(
            request,
            lambda: tenant_two_factor_release(tenant=request.tenant, acting_user=request.user),
            success=_("Two-factor authentication is no longer required here."),
        )
        return back(request, "settings")
    form = TwoFactorPolicyForm(request.POST)
    if not form.is_valid():  # said beside the field, with what was typed
        return settings_page_with(request, two_factor_form=form)
    days = form.cleaned_data["grace_days"]
    run_action(
        request,
        lambda: tenant_two_factor_require(
            tenant=request.tenant, acting_user=request.user, grace_days=days
        ),
        success=ngettext(
            "Two-factor authentication is required; members have %(count)d day to set it up.",
            "Two-factor authentication is required; members have %(count)d days to set it up.",
            days,
        )
        % {"count": days}
        if days
        else _("Two-factor authentication is required of every member from now on."),
    )
    return back(request, "settings")


@require_GET
def required(request: TenantRequest) -> HttpResponse:
    """What a member without a second factor sees of a workspace that requires one."""
    if request.tenant.two_factor_required_at is None or member_has_two_factor(request):
        return redirect("tenant:dashboard", tenant_slug=request.tenant.slug)
    return render(request, "tenants/two_factor_required.html", {"tenant": request.tenant})
