"""Tenant settings: rename, change the URL, transfer ownership, delete the org."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from accounts.http import password_in_post
from billing.selectors import tenant_deletion_refusal
from core.decorators import tenant_permission_required
from core.permissions import TENANT_DELETE, TENANT_UPDATE
from core.types import TenantRequest
from core.views import tenant_context
from mfa.decorators import reauth_required
from tenants.forms import (
    OwnershipTransferForm,
    TenantDeleteForm,
    TenantRenameForm,
    TenantSlugForm,
    TwoFactorPolicyForm,
)
from tenants.middleware_two_factor import member_has_two_factor
from tenants.selectors import member_suggestions, members_without_two_factor
from tenants.views._base import back, require_owner
from uploads.forms import LogoForm


def _page(request: TenantRequest, **forms: Any) -> HttpResponse:
    """Every member sees the page; each section shows only if the role may use it."""
    tenant, user, role = request.tenant, request.user, request.role
    if role.has_permission(TENANT_UPDATE):
        forms.setdefault("rename_form", TenantRenameForm(tenant=tenant, user=user))
        forms.setdefault("slug_form", TenantSlugForm(tenant=tenant, user=user))
        forms.setdefault("logo_form", LogoForm(tenant=tenant))
    if tenant.is_org and role.is_owner:
        forms.setdefault(
            "transfer_form",
            OwnershipTransferForm(tenant=tenant, user=user, source=request.membership),
        )
    extra: dict[str, Any] = {}
    if tenant.is_org and role.has_permission(TENANT_DELETE):
        forms.setdefault("delete_form", TenantDeleteForm(tenant=tenant, user=user))
        extra["files_kept_days"] = settings.UPLOADS_DELETED_WORKSPACE_DAYS
        # Said before the owner types the name, not after: the form would be refused.
        extra["delete_refusal"] = tenant_deletion_refusal(tenant=tenant)
    if tenant.is_org and role.is_owner:
        forms.setdefault("two_factor_form", TwoFactorPolicyForm())
        extra["members_without_two_factor"] = members_without_two_factor(tenant=tenant)
        # The require button warns an owner who would lock themselves out.
        extra["you_lack_two_factor"] = not member_has_two_factor(request)
    status = 200 if all(not f.is_bound or f.is_valid() for f in forms.values()) else 400
    return render(
        request,
        "tenants/settings.html",
        tenant_context(request, tab="settings", **forms, **extra),
        status=status,
    )


def settings_page(request: TenantRequest) -> HttpResponse:
    return _page(request)


def settings_page_with(request: TenantRequest, **forms: Any) -> HttpResponse:
    """The settings page with these forms as sent (refused: 400, errors beside fields)."""
    return _page(request, **forms)


@require_POST
@tenant_permission_required(TENANT_UPDATE)
def tenant_rename(request: TenantRequest) -> HttpResponse:
    form = TenantRenameForm(request.POST, tenant=request.tenant, user=request.user)
    if form.is_valid() and form.save() is not None:
        messages.success(request, _("Renamed to %(name)s.") % {"name": request.tenant.name})
        return back(request, "settings")
    return _page(request, rename_form=form)


@require_POST
@tenant_permission_required(TENANT_UPDATE)
def tenant_slug(request: TenantRequest) -> HttpResponse:
    old = request.tenant.slug
    form = TenantSlugForm(request.POST, tenant=request.tenant, user=request.user)
    if form.is_valid() and form.save() is not None:
        if request.tenant.slug != old:
            messages.success(
                request,
                _("The workspace now lives at /t/%(slug)s/. Links to /t/%(old)s/ keep working.")
                % {"slug": request.tenant.slug, "old": old},
            )
        return back(request, "settings")
    request.tenant.slug = old  # the page's own links must keep the slug that works
    return _page(request, slug_form=form)


@require_GET
def owner_candidates(request: TenantRequest) -> HttpResponse:
    """The new owner field's suggestions in a large organisation (it takes an address
    there): the other active members whose name or address holds what was typed."""
    require_owner(request)
    options = member_suggestions(
        tenant=request.tenant,
        typed=request.GET.get("membership", ""),
        excluding=request.user,
        active_only=True,
    )
    return render(request, "tenants/settings.html#owner-candidates", {"options": options})


@sensitive_post_parameters("password")
@require_POST
@reauth_required(proof=password_in_post("password"))
def ownership_transfer(request: TenantRequest) -> HttpResponse:
    require_owner(request)
    if request.tenant.is_personal:
        raise PermissionDenied("A personal workspace cannot change hands.")
    form = OwnershipTransferForm(
        request.POST, tenant=request.tenant, user=request.user, source=request.membership
    )
    if form.is_valid():
        new_owner = form.save()
        if new_owner is not None:
            messages.success(
                request,
                _("%(email)s is now the owner. You are an admin.")
                % {"email": new_owner.user.email},
            )
            return back(request, "dashboard")
    return _page(request, transfer_form=form)


@require_POST
@tenant_permission_required(TENANT_DELETE)
@reauth_required
def tenant_delete(request: TenantRequest) -> HttpResponse:
    if request.tenant.is_personal:
        raise PermissionDenied("Personal workspaces cannot be deleted.")
    form = TenantDeleteForm(request.POST, tenant=request.tenant, user=request.user)
    if form.is_valid() and form.save() is not None:
        request.session.pop("active_tenant_id", None)
        messages.success(request, _("%(name)s was deleted.") % {"name": request.tenant.name})
        return redirect("workspaces:list")
    return _page(request, delete_form=form)
