"""The audit log page: who did what in this workspace, filterable by action."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tenants.decorators import tenant_permission_required
from tenants.models import AuditEvent
from tenants.permissions import AUDIT_VIEW
from tenants.selectors import audit_event_list
from tenants.types import TenantRequest
from tenants.views._base import tenant_context

PAGE_SIZE = 50
DESTRUCTIVE = {
    AuditEvent.Action.MEMBER_REMOVED,
    AuditEvent.Action.ROLE_DELETED,
    AuditEvent.Action.INVITATION_CANCELLED,
    AuditEvent.Action.TEAM_DELETED,
    AuditEvent.Action.TENANT_DELETED,
    AuditEvent.Action.FILE_DELETED,
    AuditEvent.Action.SESSION_REVOKED,
    AuditEvent.Action.ACCOUNT_DELETED,
    AuditEvent.Action.STAFF_DELETED,
}


def _show(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    return value


def _changes(event: AuditEvent) -> list[tuple[str, Any, Any]]:
    """(field, before, after) rows; the template only displays them."""
    before, after = event.before or {}, event.after or {}
    fields = list(dict.fromkeys([*before, *after]))
    return [
        (field.replace("_", " "), _show(before.get(field)), _show(after.get(field)))
        for field in fields
    ]


@require_GET
@tenant_permission_required(AUDIT_VIEW)
def audit_log(request: TenantRequest) -> HttpResponse:
    """Paginated; an unknown action filter shows everything (and says so)."""
    action = request.GET.get("action", "")
    unknown_action = bool(action) and action not in AuditEvent.Action.values
    if unknown_action:
        action = ""
    paginator = Paginator(audit_event_list(tenant=request.tenant, action=action), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    for event in page.object_list:
        event.changes = _changes(event)
        event.is_destructive = event.action in DESTRUCTIVE
    context = tenant_context(
        request,
        tab="audit",
        page=page,
        events=page.object_list,
        action=action,
        unknown_action=unknown_action,
        action_choices=AuditEvent.Action.choices,
    )
    template = "tenants/audit.html"
    if request.htmx and not request.htmx.boosted:
        template += "#events"
    return render(request, template, context)
