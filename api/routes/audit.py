"""The audit log, filterable by action, actor and time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Router

from api.auth import ApiRequest, KeyBearer
from api.pagination import DEFAULT_LIMIT, paginate
from api.routes import ERRORS
from api.schemas import AuditEventPage
from core.models import AuditEvent
from core.permissions import AUDIT_VIEW

router = Router(tags=["Audit log"])


def event_out(event: AuditEvent) -> dict[str, Any]:
    actor = event.actor.email if event.actor is not None else ""
    if event.actor_label:
        actor = f"{actor} ({event.actor_label})" if actor else event.actor_label
    return {
        "id": event.pk,
        "action": event.action,
        "actor": actor,
        "actor_ip": event.actor_ip,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_label": event.target_label,
        "before": event.before,
        "after": event.after,
        "created_at": event.created_at,
    }


@router.get(
    "/audit-events",
    response={200: AuditEventPage, **ERRORS},
    summary="List audit events",
    auth=KeyBearer(scope=AUDIT_VIEW),
)
def audit_events_list(
    request: ApiRequest,
    action: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Any:
    """Newest first. `actor` is a person's email or an API key's label ("API key Zapier");
    `since` and `until` are ISO 8601 times (inclusive, exclusive)."""
    events = AuditEvent.objects.for_tenant(request.api_key.tenant).select_related("actor")
    if action:
        events = events.filter(action=action)
    if actor:
        events = (
            events.filter(actor_label=actor)
            if actor.startswith("API key ")
            else events.filter(actor__email__iexact=actor)
        )
    if since:
        events = events.filter(created_at__gte=since)
    if until:
        events = events.filter(created_at__lt=until)
    return paginate(events, cursor=cursor, limit=limit, serialize=event_out, newest_first=True)
