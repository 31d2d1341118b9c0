"""The SCIM settings page: the base URL to paste into the IdP, the token (shown once,
on the answer to the POST that made it), replacing it and turning provisioning off.
Making a token needs a plan with SSO; turning provisioning off never does."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing.decorators import plan_feature_required
from billing.plans import plan_feature_gate
from core.decorators import tenant_permission_required
from core.permissions import SCIM_MANAGE
from core.sent_once import sent_once
from core.types import TenantRequest
from core.views import tenant_context
from mfa.decorators import reauth_required
from scim import selectors, services
from scim.models import ScimGroup, ScimUser
from tenants.views._base import organisation_only


def _page(request: TenantRequest, *, new_token: str = "") -> HttpResponse:
    tenant = request.tenant
    context: dict[str, Any] = {
        "directory": selectors.directory_get(tenant=tenant),
        "base_url": f"{settings.SITE_URL}/scim/v2/{tenant.slug}",
        "new_token": new_token,
        "users_count": ScimUser.objects.for_tenant(tenant).count(),
        "groups_count": ScimGroup.objects.for_tenant(tenant).count(),
        # On a plan without SSO: the upgrade instead of creating or replacing a token.
        "scim_gate": plan_feature_gate(tenant=tenant, feature="sso"),
    }
    return render(request, "scim/settings.html", tenant_context(request, tab="scim", **context))


@organisation_only
@tenant_permission_required(SCIM_MANAGE)
def scim_settings(request: TenantRequest) -> HttpResponse:
    return _page(request)


@require_POST
@organisation_only
@tenant_permission_required(SCIM_MANAGE)
@plan_feature_required("sso")
@reauth_required
@sent_once(lambda request: reverse("scim:settings", args=[request.tenant.slug]))
def scim_token_rotate(request: TenantRequest) -> HttpResponse:
    """The token is in this answer only: never in a redirect, a message or the session."""
    raw = services.directory_token_rotate(tenant=request.tenant, acting_user=request.user)
    return _page(request, new_token=raw)


@require_POST
@organisation_only
@tenant_permission_required(SCIM_MANAGE)
@reauth_required
def scim_disable(request: TenantRequest) -> HttpResponse:
    if services.directory_disable(tenant=request.tenant, acting_user=request.user):
        messages.success(request, _("SCIM provisioning is off: the token no longer works."))
    return redirect("scim:settings", tenant_slug=request.tenant.slug)
