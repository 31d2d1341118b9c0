"""Custom roles: list every role with its permissions; create, edit, delete custom ones."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing.plans import plan_feature_gate
from core.decorators import tenant_permission_required
from core.errors import run_action
from core.exceptions import refusal_message
from core.permissions import ROLES_MANAGE, permission_groups
from core.types import TenantRequest
from core.views import tenant_context
from tenants import services
from tenants.forms import RoleForm
from tenants.permissions import role_in_reach
from tenants.selectors import role_get, role_list
from tenants.views._base import back, organisation_only


def _page(request: TenantRequest, form: RoleForm | None = None) -> HttpResponse:
    gate = plan_feature_gate(tenant=request.tenant, feature="custom_roles")
    can_create = (
        request.role.has_permission(ROLES_MANAGE) and request.tenant.is_org and gate is None
    )
    roles = role_list(tenant=request.tenant)
    for r in roles:
        in_reach = role_in_reach(actor=request.role, role=r)
        r.editable = can_create and not r.is_builtin and in_reach
        # Said only where it is the reason: on a plan without custom roles the upgrade
        # card says why nobody edits them (an owner read "Beyond your role").
        r.beyond_role = not r.is_builtin and not in_reach
        refusal = services.role_delete_refusal(  # role_list's annotations, unknown to mypy
            role=r,
            holders=getattr(r, "member_count", 0),
            invitations=getattr(r, "open_invitations", 0),
        )
        r.delete_refusal = refusal_message(refusal) if refusal is not None else ""
    context = tenant_context(
        request,
        tab="roles",
        roles=roles,
        permission_groups=permission_groups(),
        can_create=can_create,
        # Shown instead of the form: what custom roles do, and the upgrade.
        roles_gate=gate if request.tenant.is_org else None,
        # The gate's "roles you made before keep working" only where there are some.
        has_custom_roles=any(not r.is_builtin for r in roles),
        form=form or (RoleForm(tenant=request.tenant, user=request.user) if can_create else None),
    )
    return render(request, "tenants/roles.html", context)


@organisation_only
def role_list_view(request: TenantRequest) -> HttpResponse:
    return _page(request)


@require_POST
@organisation_only
@tenant_permission_required(ROLES_MANAGE)
def role_create(request: TenantRequest) -> HttpResponse:
    form = RoleForm(request.POST, tenant=request.tenant, user=request.user)
    if form.is_valid():
        created = form.save()
        if created is not None:
            messages.success(request, _("Role “%(name)s” created.") % {"name": created.name})
            return back(request, "roles")
    return _page(request, form)


@organisation_only
@tenant_permission_required(ROLES_MANAGE)
def role_edit(request: TenantRequest, role_id: int) -> HttpResponse:
    role = role_get(tenant=request.tenant, role_id=role_id)
    if role.is_builtin:
        messages.error(
            request,
            _("“%(name)s” is a built-in role and cannot be changed.") % {"name": role.label},
        )
        return back(request, "roles")
    if not role_in_reach(actor=request.role, role=role):  # the service refuses it too
        messages.error(
            request,
            _(
                "“%(name)s” has permissions your role does not have, so you cannot change "
                "it; ask an owner."
            )
            % {"name": role.label},
        )
        return back(request, "roles")
    gate = plan_feature_gate(tenant=request.tenant, feature="custom_roles")
    if gate is not None:  # the form opened, and refused only once saved
        messages.error(
            request,
            _(
                "The %(plan)s plan does not include custom roles: “%(name)s” keeps working "
                "but cannot be changed."
            )
            % {"plan": gate.plan_name, "name": role.label},
        )
        return back(request, "roles")
    form = RoleForm(request.POST or None, tenant=request.tenant, user=request.user, role=role)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        if saved is not None:
            messages.success(request, _("Role “%(name)s” saved.") % {"name": saved.name})
            return back(request, "roles")
    context = tenant_context(request, tab="roles", form=form, edited=role)
    return render(request, "tenants/role_edit.html", context)


@require_POST
@tenant_permission_required(ROLES_MANAGE)
def role_delete(request: TenantRequest, role_id: int) -> HttpResponse:
    role = role_get(tenant=request.tenant, role_id=role_id)
    run_action(
        request,
        lambda: services.role_delete(tenant=request.tenant, role=role, acting_user=request.user),
        success=_("Role “%(name)s” deleted.") % {"name": role.name},
    )
    return back(request, "roles")
