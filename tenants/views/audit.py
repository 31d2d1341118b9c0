"""The audit log page: who did what in this workspace, filterable by person, action and
days."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING, Any, NamedTuple

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from billing.plans import plan_feature_gate
from core.audit import actor_label_said
from core.audit_actions import (
    audit_action_exists,
    audit_action_groups,
    audit_action_is_destructive,
    audit_field_label,
    audit_value_label,
)
from core.decorators import tenant_permission_required
from core.ids import id_from_text
from core.models import AuditEvent
from core.permissions import AUDIT_VIEW, permission_names
from core.replica import replica_alias
from core.types import TenantRequest
from core.views import tenant_context
from tenants.forms_audit import AuditPeriodForm
from tenants.models import role_label
from tenants.permissions import BUILTIN_ROLES
from tenants.selectors import audit_actor_find, audit_actor_list, audit_event_list

if TYPE_CHECKING:
    from datetime import date

    from accounts.models import User

PAGE_SIZE = 50

# The "Who" menu's value for events no person, API key or directory sync did.
SYSTEM = "system"
# The members the "Who" menu lists at most (2,000 options cost ~85 ms of CPU per page
# view); a link to any member's events (?actor=<id>) still filters, and adds them.
WHO_MENU_LIMIT = 100


# Keys whose value is a role's name: a built-in role's is stored in English (its msgid).
ROLE_FIELDS = ("role", "default_role")
BUILTIN_ROLE_KEYS = {name: key for key, (name, _permissions) in BUILTIN_ROLES.items()}


def _show(action: str, field: str, value: Any) -> Any:
    """A stored value as the reader reads it: yes/no, permission and built-in role
    names and the codes the action's app declared, in their language; anything else as
    stored."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field == "permissions" and isinstance(value, list):  # a role's: names, not codes
        value = permission_names(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or _("none")
    if field in ROLE_FIELDS and value in BUILTIN_ROLE_KEYS:
        return role_label(name=value, key=BUILTIN_ROLE_KEYS[value])
    return audit_value_label(action=action, key=field, value=value)


class Change(NamedTuple):
    """One field of an event in the reader's language: its label, and its value before
    and after, None for a side it did not have (a creation has no before). The page and
    the CSV say the sides it has, with an arrow only between two: the CSV wrote a
    creation as "Name:  → Customer Success"."""

    field: str
    old: Any
    new: Any

    @property
    def both(self) -> bool:
        return self.old is not None and self.new is not None

    @property
    def said(self) -> str:
        """As plain text: "Name: Sales → Customer Success", "Name: Customer Success"."""
        return f"{self.field}: " + " → ".join(
            str(value) for value in (self.old, self.new) if value is not None
        )


def _changes(event: AuditEvent) -> list[Change]:
    """The event's changed fields; the template only displays them."""
    before, after = event.before or {}, event.after or {}
    fields = list(dict.fromkeys([*before, *after]))
    return [
        Change(
            audit_field_label(field),
            _stored(event.action, before, field),
            _stored(event.action, after, field),
        )
        for field in fields
    ]


class Theirs(str):
    """A value shown as it was stored (a name, an address), not a word of ours: the page
    marks it translate="no", so an organisation called "Billing" stays "Billing"."""

    __slots__ = ()
    theirs = True


def _stored(action: str, values: dict[str, Any], field: str) -> Any:
    """None when the side does not have the key (nothing shown); a stored None (a team
    without a parent) as a dash."""
    if field not in values:
        return None
    value = values[field]
    if value is None:
        return "—"
    shown = _show(action, field, value)
    return Theirs(shown) if shown is value and isinstance(value, str) else shown


@dataclass
class _Filters:
    """The filters the page and its CSV read from the query string, as the page applies
    them (a filter not known here: none, and `unknown_*` says so)."""

    action: str
    unknown_action: bool
    actor: str
    unknown_actor: bool
    people: list[User]
    more_people: bool
    period: AuditPeriodForm
    events: QuerySet[AuditEvent]


def _filters(request: TenantRequest, using: str) -> _Filters:
    action = request.GET.get("action", "")
    unknown_action = bool(action) and not audit_action_exists(action)
    if unknown_action:
        action = ""
    people = audit_actor_list(tenant=request.tenant, limit=WHO_MENU_LIMIT + 1, using=using)
    # More members than the menu holds: they are found by their address instead.
    more_people = len(people) > WHO_MENU_LIMIT
    people = people[:WHO_MENU_LIMIT]
    actor, unknown_actor, beyond_menu = _actor_filter(request, people, using)
    if beyond_menu is not None:  # a link to someone the menu leaves out, or who has gone
        people = [*people, beyond_menu]
    period = AuditPeriodForm(request.GET)
    since, until = period.bounds()
    events = audit_event_list(
        tenant=request.tenant,
        action=action,
        actor_id=int(actor) if actor and actor != SYSTEM else None,
        system=actor == SYSTEM,
        since=since,
        until=until,
        using=using,
    )
    return _Filters(
        action, unknown_action, actor, unknown_actor, people, more_people, period, events
    )


@require_GET
@tenant_permission_required(AUDIT_VIEW)
def audit_log(request: TenantRequest) -> HttpResponse:
    """Paginated; filtered by action, by who acted (a member or the system) and by days
    ("From", "To"). A filter that is not known here (an old link, another
    organisation's person, a day that is not a date) shows everything and says so."""
    using = replica_alias(request)
    found = _filters(request, using)
    action, actor, period, events = found.action, found.actor, found.period, found.events
    unknown_action, unknown_actor = found.unknown_action, found.unknown_actor
    people, more_people = found.people, found.more_people
    since_day, until_day = period.days()
    shown_since, shown_until = period.shown()
    paginator = Paginator(events, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    for event in page.object_list:
        event.changes = _changes(event)
        event.is_destructive = audit_action_is_destructive(event.action)
    groups = audit_action_groups()
    # What the filter's menu calls the action, for "No … events yet."
    action_label = dict(choice for _area, choices in groups for choice in choices).get(action, "")
    context = tenant_context(
        request,
        tab="audit",
        page=page,
        events=page.object_list,
        action=action,
        unknown_action=unknown_action,
        action_groups=groups,
        action_label=action_label,
        actor=actor,
        unknown_actor=unknown_actor,
        people=people,
        more_people=more_people,
        people_limit=WHO_MENU_LIMIT,
        system=SYSTEM,
        # The days as the date fields show them (ISO), each "" when not a date.
        since=shown_since,
        until=shown_until,
        period_refusal=period.refusal,
        results_said=_results_said(
            count=paginator.count,
            refusal=period.refusal,
            action_label=action_label,
            narrowed=bool(actor or shown_since or shown_until),
        ),
        # What the page links keep of the filters ("action=…&actor=…&"), before "page=".
        filter_query=_filter_query(action=action, actor=actor, since=since_day, until=until_day),
        # The same without the person, before a row's "actor=<id>" (their events only).
        other_filters_query=_filter_query(
            action=action, actor="", since=since_day, until=until_day
        ),
        # The plan shows only recent entries: say so, with what the full history is.
        audit_gate=plan_feature_gate(tenant=request.tenant, feature="audit_history"),
        audit_gate_note=(
            _(
                "This log shows the last %(days)s days. Older entries are kept and appear "
                "again after an upgrade."
            )
            % {"days": settings.BILLING_AUDIT_LOG_DAYS}
        ),
    )
    template = "tenants/audit.html"
    if request.htmx and not request.htmx.boosted:
        template += "#events"
    return render(request, template, context)


def _results_said(*, count: int, refusal: str, action_label: str, narrowed: bool) -> str:
    """What the page's status says when the filters bring new results (the table's
    empty row in words, without its link), after a refused period if there is one."""
    if count:
        found = ngettext("%(count)s event", "%(count)s events", count) % {"count": count}
    elif narrowed:
        found = _("No events match the chosen filters.")
    elif action_label:
        found = _("No “%(action)s” events yet.") % {"action": action_label}
    else:
        found = _(
            "Nothing has happened here yet. Changes to members, roles, files, billing and "
            "settings will appear here."
        )
    return f"{refusal} {found}" if refusal else found


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection):
# a target named "=HYPERLINK(…)" would run in the reader's Excel.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Line:
    """What csv.writer writes to: each row comes back as its text, to be streamed."""

    def write(self, text: str) -> str:
        return text


@require_GET
@tenant_permission_required(AUDIT_VIEW)
def audit_export(request: TenantRequest) -> StreamingHttpResponse:
    """The events the page shows with the same filters, every page of them, as CSV in
    the reader's language (times in UTC, ISO 8601), streamed a thousand rows at a time;
    the plan's window holds as on the page (the selector)."""
    events = _filters(request, replica_alias(request)).events
    # Every cell quoted, as OWASP advises beside the prefix: a spreadsheet that splits on
    # ";" (Excel in German) would otherwise start a new cell, perhaps a formula, inside
    # "x;=1+1".
    writer = csv.writer(_Line(), quoting=csv.QUOTE_ALL)
    header = [
        _("When (UTC)"),
        _("Who"),
        _("Via support"),
        _("IP address"),
        _("Action"),
        _("Action code"),
        _("Target"),
        _("Change"),
    ]

    # The rows are written after the view returns, while the response streams: in the
    # language the request chose, whatever a middleware does on the way out.
    language = translation.get_language()

    def rows() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(header)  # the mark tells Excel it is UTF-8
        with translation.override(language):
            yield from _event_rows(writer, events)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = (
        f'attachment; filename="audit-{request.tenant.slug}-{stamp}.csv"'
    )
    return response


def _event_rows(writer: Any, events: QuerySet[AuditEvent]) -> Iterator[str]:
    """Each event as a CSV line: who (and the API key or sync it went through), what, the
    change in the reader's words, every cell safe from a spreadsheet's formulas."""
    for event in events.iterator(chunk_size=1000):
        who = event.actor.email if event.actor is not None else ""
        if event.actor_label:
            label = actor_label_said(event.actor_label)
            who = f"{who} ({label})" if who else label
        changes = "; ".join(change.said for change in _changes(event))
        yield writer.writerow(
            [
                _cell(value)
                for value in (
                    event.created_at.astimezone(UTC).isoformat(timespec="seconds"),
                    who or _("System"),
                    event.impersonator.email if event.impersonator else "",
                    event.actor_ip or "",
                    event.get_action_display(),
                    event.action,
                    event.target_label,
                    changes,
                )
            ]
        )


def _actor_filter(
    request: TenantRequest, people: list[User], using: str
) -> tuple[str, bool, User | None]:
    """(`actor` as the links keep it: "", "system" or a person's id; whether the filter
    asked for was not known here; the person when the menu does not list them, a member
    past its first 100 or a former member (`former` set), who is then added to it)."""
    actor = request.GET.get("actor", "")
    if not actor or actor == SYSTEM or actor in {str(p.pk) for p in people}:
        return actor, False, None
    if (user_id := id_from_text(actor)) is not None:
        found = audit_actor_find(tenant=request.tenant, user_id=user_id, using=using)
        if found is not None:
            person, is_member = found
            person.former = not is_member  # type: ignore[attr-defined]  # the menu's note
            return actor, False, person
    return "", True, None


def _filter_query(*, action: str, actor: str, since: date | None, until: date | None) -> str:
    """The filters in force as the start of a query string, so paging keeps them."""
    query = QueryDict(mutable=True)
    if action:
        query["action"] = action
    if actor:
        query["actor"] = actor
    if since:
        query["since"] = since.isoformat()
    if until:
        query["until"] = until.isoformat()
    return f"{query.urlencode()}&" if query else ""
