"""The members page: roles, contacts, removing members and leaving."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from tenants import services
from tenants.decorators import tenant_permission_required
from tenants.exceptions import TenantRuleError
from tenants.forms import MemberRoleForm
from tenants.models import Membership
from tenants.permissions import BILLING_MANAGE, MEMBERS_MANAGE, role_in_reach
from tenants.selectors import membership_get, membership_list, role_list
from tenants.types import TenantRequest
from tenants.views._base import back, run_action, tenant_context
from tenants.views.invitations import invite_panel


def _flag(request: TenantRequest, membership: Membership) -> Membership:
    """Per-row flags: the template shows controls only where an action is allowed
    (the services enforce the same rules)."""
    role = request.role
    in_reach = role_in_reach(actor=role, role=membership.role)
    org = request.tenant.is_org
    membership.is_me = membership.user_id == request.user.pk
    membership.manageable = (
        org and role.has_permission(MEMBERS_MANAGE) and not membership.is_me and in_reach
    )
    membership.primary_editable = org and role.has_permission(MEMBERS_MANAGE) and in_reach
    membership.billing_editable = org and role.has_permission(BILLING_MANAGE) and in_reach
    return membership


def member_list(request: TenantRequest) -> HttpResponse:
    return members_page(request)


def members_page(request: TenantRequest, *, invite_form: Any = None) -> HttpResponse:
    """The members page; the invite view re-renders it with a rejected form."""
    memberships = [_flag(request, m) for m in membership_list(tenant=request.tenant)]
    context = tenant_context(
        request,
        tab="members",
        memberships=memberships,
        roles=role_list(tenant=request.tenant),
        can_leave=request.tenant.is_org,
        **invite_panel(request, form=invite_form),
    )
    return render(request, "tenants/members.html", context)


def _row(request: TenantRequest, membership_id: int, error: str | None) -> HttpResponse:
    """The one member row htmx swaps in after an action."""
    context = tenant_context(
        request,
        tab="members",
        m=_flag(request, membership_get(tenant=request.tenant, membership_id=membership_id)),
        roles=role_list(tenant=request.tenant),
        row_error=error,
    )
    return render(request, "tenants/members.html#member-row", context)


@require_POST
@tenant_permission_required(MEMBERS_MANAGE)
def member_role(request: TenantRequest, membership_id: int) -> HttpResponse:
    membership = membership_get(tenant=request.tenant, membership_id=membership_id)
    form = MemberRoleForm(request.POST, tenant=request.tenant)
    if form.is_valid():
        role = form.cleaned_data["role"]
        error = run_action(
            request,
            lambda: services.membership_change_role(
                membership=membership, role=role, acting_user=request.user
            ),
            success=f"{membership.user.name or membership.user.email} is now {role.name}.",
        )
    else:
        error = str(form.errors["role"][0])  # the message (ErrorList.__getitem__)
        if not request.htmx:
            messages.error(request, error)
    if request.htmx:
        return _row(request, membership_id, error)
    return back(request, "members")


@require_POST
@tenant_permission_required(MEMBERS_MANAGE)
def member_remove(request: TenantRequest, membership_id: int) -> HttpResponse:
    membership = membership_get(tenant=request.tenant, membership_id=membership_id)
    error = run_action(
        request,
        lambda: services.membership_remove(membership=membership, acting_user=request.user),
        success=f"{membership.user.email} was removed from {request.tenant.name}.",
    )
    if request.htmx:
        return _row(request, membership_id, error) if error else HttpResponse("")
    return back(request, "members")


@require_POST
@tenant_permission_required(MEMBERS_MANAGE)
def member_primary(request: TenantRequest, membership_id: int) -> HttpResponse:
    membership = membership_get(tenant=request.tenant, membership_id=membership_id)
    run_action(
        request,
        lambda: services.membership_set_primary_contact(
            membership=membership, acting_user=request.user
        ),
        success=f"{membership.user.email} is now the primary contact.",
    )
    return back(request, "members")


@require_POST
@tenant_permission_required(BILLING_MANAGE)
def member_billing(request: TenantRequest, membership_id: int) -> HttpResponse:
    membership = membership_get(tenant=request.tenant, membership_id=membership_id)
    value = request.POST.get("is_billing_contact") == "on"
    error = run_action(
        request,
        lambda: services.membership_set_billing_contact(
            membership=membership, is_billing_contact=value, acting_user=request.user
        ),
        success=(
            f"{membership.user.email} is {'now' if value else 'no longer'} a billing contact."
        ),
    )
    if request.htmx:
        return _row(request, membership_id, error)
    return back(request, "members")


@require_POST
def member_leave(request: TenantRequest) -> HttpResponse:
    """Any member may leave (not the last owner, the primary contact, or a personal tenant)."""
    tenant = request.tenant
    try:
        services.membership_leave(membership=request.membership)
    except TenantRuleError as error:
        messages.error(request, str(error))
        target = reverse("tenant:members", kwargs={"tenant_slug": tenant.slug})
    else:
        messages.success(request, f"You left {tenant.name}.")
        request.session.pop("active_tenant_id", None)
        target = reverse("tenants:list")
    if request.htmx:
        return HttpResponseClientRedirect(target)
    return redirect(target)
