"""The audit log, filterable by action, actor and time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from ninja import Query, Router
from ninja.errors import ValidationError

from api.auth import ApiRequest, KeyBearer
from api.pagination import DEFAULT_LIMIT, Cursor, Limit, paginate
from api.routes import ERRORS
from api.schemas import AuditEventPage
from core.models import AuditEvent
from core.permissions import AUDIT_VIEW
from tenants.selectors import audit_event_list

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
    action: Annotated[str | None, Query(description="Only this action: `member.removed`")] = None,
    actor: Annotated[
        str | None,
        Query(description="Only this actor: a person's email, or an API key's \"API key Zapier\""),
    ] = None,
    since: Annotated[datetime | None, Query(description="From this time on (ISO 8601)")] = None,
    until: Annotated[datetime | None, Query(description="Before this time (ISO 8601)")] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Any:
    """Newest first. `actor` is a person's email or an API key's label ("API key Zapier");
    `since` and `until` are ISO 8601 times (inclusive, exclusive). On a plan without full
    audit history, only the days the audit page shows."""
    # The page's selector: the plan's history window holds here too.
    events = audit_event_list(
        tenant=request.api_key.tenant,
        action=action or "",
        since=_in_utc("since", since),
        until=_in_utc("until", until),
    )
    if actor:
        events = (
            events.filter(actor_label=actor)
            if actor.startswith("API key ")
            else events.filter(actor__email__iexact=actor)
        )
    return paginate(events, cursor=cursor, limit=limit, serialize=event_out, newest_first=True)


def _in_utc(name: str, value: datetime | None) -> datetime | None:
    """A time its offset carries past the year 9999 in UTC cannot be compared with
    anything: a 500 where a bad time is a 422."""
    if value is None:
        return None
    if value.tzinfo is None:  # without an offset: UTC, as the ORM reads it
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        message = "Give a time between the years 1 and 9999 in UTC."
        raise ValidationError([{"loc": ("query", name), "msg": message}]) from None
