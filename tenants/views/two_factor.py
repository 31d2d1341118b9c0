"""The two-factor requirement: owners set it on the settings page; members without a
second factor are sent to `required` once the grace period is over."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from core.errors import run_action
from core.types import TenantRequest
from mfa.decorators import reauth_required
from tenants.middleware_two_factor import member_has_two_factor
from tenants.services.two_factor import (
    GRACE_DAYS_DEFAULT,
    GRACE_DAYS_MAX,
    tenant_two_factor_release,
    tenant_two_factor_require,
)
from tenants.views._base import back, require_owner


class TwoFactorPolicyForm(forms.Form):
    grace_days = forms.IntegerField(
        label=gettext_lazy("Days members have to set it up"),
        min_value=0,
        max_value=GRACE_DAYS_MAX,
        initial=GRACE_DAYS_DEFAULT,
        widget=forms.NumberInput({"class": "input w-28"}),
    )


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
    if not form.is_valid():
        messages.error(
            request, _("Give members between 0 and %(max)s days.") % {"max": GRACE_DAYS_MAX}
        )
        return back(request, "settings")
    days = form.cleaned_data["grace_days"]
    run_action(
        request,
        lambda: tenant_two_factor_require(
            tenant=request.tenant, acting_user=request.user, grace_days=days
        ),
        success=ngettext(
            "Two-factor authentication is required; members have %(count)d day(s) to set it up.",
            "Two-factor authentication is required; members have %(count)d day(s) to set it up.",
            days,
        )
        % {"count": days},
    )
    return back(request, "settings")


@require_GET
def required(request: TenantRequest) -> HttpResponse:
    """What a member without a second factor sees of a workspace that requires one."""
    if request.tenant.two_factor_required_at is None or member_has_two_factor(request):
        return redirect("tenant:dashboard", tenant_slug=request.tenant.slug)
    return render(request, "tenants/two_factor_required.html", {"tenant": request.tenant})
