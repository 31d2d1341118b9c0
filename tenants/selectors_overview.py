"""What a workspace's overview shows on arrival, read in one statement.

The counts and the previews (newest members, teams, recent activity, newest files) come
in one prebuilt statement (core/prebuilt_sql.py) of scalar subqueries, the previews as
JSON columns built back into model instances. The `_*_orm` functions are the same reads
through the ORM, which tests/tenants/test_overview_sql.py holds the statement to, on
SQLite and PostgreSQL.
Files are read through the tenant's `uploads` relation: the uploads app sits above
this one, so it is never imported here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, IntegerField, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from billing.backends import billing_enabled
from billing.plans import Plan, PlanUsage, plan_for_tenant, plan_usage
from core.audit_actions import audit_action_is_destructive
from core.links import link
from core.models import AuditEvent
from core.permissions import AUDIT_VIEW, BILLING_MANAGE, FILES_MANAGE, MEMBERS_INVITE
from core.prebuilt_sql import json_instances, json_rows, select_list, table
from tenants.checklist import ChecklistItem, SetupFacts, checklist_items
from tenants.models import Invitation, Membership, Team, TeamMember, Tenant
from tenants.selectors import audit_event_list

if TYPE_CHECKING:
    from accounts.models import User

PREVIEW_MEMBERS = 5
PREVIEW_TEAMS = 5
PREVIEW_FILES = 5
PREVIEW_ACTIVITY = 6

# Where an audit action's object lives, by the action's prefix ("member.joined" ->
# "member"); the permission a viewer needs for that page, if any.
_ACTIVITY_PAGES: dict[str, tuple[str, str | None]] = {
    "member": ("tenant:members", None),
    "invitation": ("tenant:members", None),
    "role": ("tenant:roles", None),
    "team": ("tenant:teams", None),
    "tenant": ("tenant:settings", None),
    "file": ("files:list", None),
    "billing": ("billing:overview", BILLING_MANAGE),
}


@dataclass(frozen=True)
class Activity:
    event: AuditEvent
    # The page of the thing it happened to, when the viewer may open it; else "".
    url: str
    is_destructive: bool


@dataclass(frozen=True)
class Overview:
    member_count: int
    pending_invitations: int
    team_count: int
    file_count: int
    storage_bytes: int
    plan: Plan
    # Newest first; empty in a personal workspace, which has one member and no teams.
    members: list[Membership]
    teams: list[Team]
    files: list[Any]
    activity: list[Activity]
    # True: the workspace's audit log; False: only what the viewer did (no audit.view).
    activity_is_everyones: bool
    # Shown to people who can do something about a limit; None for everyone else.
    usage: list[PlanUsage] | None
    # Empty when dismissed, when nothing applies, or when every step is done.
    checklist: list[ChecklistItem]

    @property
    def more_members(self) -> int:
        return max(0, self.member_count - len(self.members))

    @property
    def checklist_done(self) -> int:
        return sum(1 for item in self.checklist if item.done)


def overview_get(*, membership: Membership, user: User) -> Overview:
    """Everything the overview shows to this member (the membership comes with its
    tenant, role and billing account, as TenantMiddleware loads them)."""
    tenant, role = membership.tenant, membership.role
    is_org = tenant.is_org
    may_audit = role.has_permission(AUDIT_VIEW)
    counts, members, teams, events, files = _counts_and_previews(
        tenant=tenant, user=user, everyone=may_audit
    )
    # Usage is for people who can act on a limit: upgrade, invite, or upload.
    shows_usage = any(map(role.has_permission, (BILLING_MANAGE, MEMBERS_INVITE, FILES_MANAGE)))
    checklist: list[ChecklistItem] = []
    if membership.checklist_dismissed_at is None:
        facts = SetupFacts(
            user=user,
            tenant=tenant,
            role=role,
            member_count=counts["members"],
            pending_invitations=counts["pending"],
            billing_enabled=billing_enabled(),
        )
        checklist = checklist_items(facts)
        if all(item.done for item in checklist):
            checklist = []
    return Overview(
        member_count=counts["members"],
        pending_invitations=counts["pending"],
        team_count=counts["teams"],
        file_count=counts["files"],
        storage_bytes=counts["storage"],
        plan=plan_for_tenant(tenant),
        members=members if is_org else [],
        teams=teams if is_org else [],
        files=files,
        activity=_activity(events, tenant=tenant, can=role.has_permission),
        activity_is_everyones=may_audit,
        usage=(
            plan_usage(
                tenant=tenant,
                # Members plus pending invitations, as tenant_seats_taken counts seats.
                seats_taken=counts["members"] + counts["pending"] if is_org else None,
                storage_bytes=counts["storage"],
                invitations=counts["pending"],
            )
            if shows_usage
            else None
        ),
        checklist=checklist,
    )


Previews = tuple[dict[str, int], list[Membership], list[Team], list[AuditEvent], list[Any]]


def _counts_and_previews(*, tenant: Tenant, user: User, everyone: bool) -> Previews:
    """Counts (members, pending invitations, teams, files, stored bytes), the newest
    members, the first teams with `member_count`, the newest audit events (everyone's,
    or only the viewer's) and the newest files with their uploaders: one statement."""
    pk = tenant.pk
    params: list[Any] = [pk, pk, timezone.now(), pk, pk, pk, pk, pk, pk, everyone, user.pk, pk]
    with connection.cursor() as cursor:
        cursor.execute(_overview_sql(), params)
        row = cursor.fetchone()
    (
        n_members,
        n_pending,
        n_teams,
        n_files,
        n_storage,
        members_json,
        teams_json,
        events_json,
        files_json,
    ) = row
    members = []
    for membership, member in json_instances(members_json, (Membership, get_user_model())):
        membership.user = member
        members.append(membership)
    teams = []
    for team, member_count in json_instances(teams_json, (Team,)):
        team.member_count = member_count
        teams.append(team)
    events = []
    for event, actor in json_instances(events_json, (AuditEvent, get_user_model())):
        event.actor = actor
        events.append(event)
    files = []
    for upload, uploader in json_instances(files_json, (_upload_model(), get_user_model())):
        upload.uploaded_by = uploader
        files.append(upload)
    counts = {
        "members": n_members,
        "pending": n_pending,
        "teams": n_teams,
        "files": n_files,
        "storage": int(n_storage),
    }
    return counts, members, teams, events, files


def _upload_model() -> Any:
    """uploads.Upload, reached through the tenant's relation (see the module docstring)."""
    return Tenant._meta.get_field("uploads").related_model


@cache
def _overview_sql() -> str:
    """The overview's statement: written once per process (see core/prebuilt_sql.py)."""
    user_model = get_user_model()
    uploads = _upload_model()
    file_kind = uploads.Kind.FILE.value
    members = json_rows(
        [select_list(Membership, "om"), select_list(user_model, "ou")],
        f"FROM {table(Membership)} om INNER JOIN {table(user_model)} ou ON ou.id = om.user_id "
        "WHERE om.tenant_id = %s",
        "om.joined_at DESC, om.id DESC",
        PREVIEW_MEMBERS,
    )
    teams = json_rows(
        [
            select_list(Team, "ot"),
            f"(SELECT COUNT(*) FROM {table(TeamMember)} otm WHERE otm.team_id = ot.id)",  # noqa: S608
        ],
        f"FROM {table(Team)} ot WHERE ot.tenant_id = %s",
        "ot.name ASC, ot.id ASC",
        PREVIEW_TEAMS,
    )
    events = json_rows(
        [select_list(AuditEvent, "oe"), select_list(user_model, "oa")],
        f"FROM {table(AuditEvent)} oe LEFT JOIN {table(user_model)} oa ON oa.id = oe.actor_id "
        # Everyone's events, or only the viewer's.
        "WHERE oe.tenant_id = %s AND (%s OR oe.actor_id = %s)",
        "oe.created_at DESC, oe.id DESC",
        PREVIEW_ACTIVITY,
    )
    files = json_rows(
        [select_list(uploads, "fl"), select_list(user_model, "fu")],
        f"FROM {table(uploads)} fl LEFT JOIN {table(user_model)} fu ON fu.id = fl.uploaded_by_id "
        f"WHERE fl.tenant_id = %s AND fl.kind = '{file_kind}'",
        "fl.created_at DESC, fl.id DESC",
        PREVIEW_FILES,
    )
    # Identifiers come from model metadata; every value is a query parameter.
    return (
        # Members holding a seat: core.members.seat_holders, in SQL.
        f"SELECT (SELECT COUNT(*) FROM {table(Membership)} WHERE tenant_id = %s "  # noqa: S608
        "AND suspended_at IS NULL), "
        f"(SELECT COUNT(*) FROM {table(Invitation)} WHERE tenant_id = %s "
        "AND accepted_at IS NULL AND cancelled_at IS NULL AND expires_at > %s), "
        f"(SELECT COUNT(*) FROM {table(Team)} WHERE tenant_id = %s), "
        f"(SELECT COUNT(*) FROM {table(uploads)} WHERE tenant_id = %s AND kind = '{file_kind}'), "
        f"(SELECT COALESCE(SUM(size), 0) FROM {table(uploads)} WHERE tenant_id = %s), "
        f"{members}, {teams}, {events}, {files}"
    )


# The same reads through the ORM: the definition the statement is tested against.


def _scalar(rows: QuerySet[Any], aggregate: Count | Sum) -> Coalesce:
    """`(SELECT aggregate FROM rows)`, 0 when there are none."""
    value = rows.order_by().values("tenant_id").annotate(value=aggregate).values("value")
    return Coalesce(Subquery(value), 0, output_field=IntegerField())


def _counts_orm(tenant: Tenant) -> dict[str, int]:
    """Members, pending invitations, teams, files and stored bytes: one query.

    Stored bytes count every upload (avatars and the logo too), the total the storage
    cap is checked against (uploads.selectors.upload_storage_used; a test keeps the
    two equal)."""
    uploads = tenant.uploads.all()
    row = Tenant.objects.filter(pk=tenant.pk).values(
        # Prefixed: "members" and "teams" are names of the tenant's relations.
        n_members=_scalar(Membership.objects.for_tenant(tenant), Count("pk")),
        n_pending=_scalar(Invitation.objects.for_tenant(tenant).pending(), Count("pk")),
        n_teams=_scalar(Team.objects.for_tenant(tenant), Count("pk")),
        n_files=_scalar(uploads.files(), Count("pk")),
        n_storage=_scalar(uploads, Sum("size")),
    )[0]
    return {
        "members": row["n_members"],
        "pending": row["n_pending"],
        "teams": row["n_teams"],
        "files": row["n_files"],
        "storage": row["n_storage"],
    }


def _newest_members_orm(tenant: Tenant) -> list[Membership]:
    return list(
        Membership.objects.for_tenant(tenant)
        .select_related("user")
        .order_by("-joined_at", "-pk")[:PREVIEW_MEMBERS]
    )


def _teams_orm(tenant: Tenant) -> list[Team]:
    """The first teams by name, with `member_count`."""
    return list(
        Team.objects.for_tenant(tenant)
        .annotate(member_count=Count("members"))
        .order_by("name", "pk")[:PREVIEW_TEAMS]
    )


def _newest_files_orm(tenant: Tenant) -> list[Any]:
    return list(
        tenant.uploads.files()
        .select_related("uploaded_by")
        .order_by("-created_at", "-pk")[:PREVIEW_FILES]
    )


def _activity(
    events: list[AuditEvent], *, tenant: Tenant, can: Callable[[str], bool]
) -> list[Activity]:
    return [
        Activity(
            event=event,
            url=_activity_url(event, tenant=tenant, can=can),
            is_destructive=audit_action_is_destructive(event.action),
        )
        for event in events
    ]


def _activity_url(event: AuditEvent, *, tenant: Tenant, can: Callable[[str], bool]) -> str:
    page = _ACTIVITY_PAGES.get(event.action.partition(".")[0])
    if page is None or (page[1] is not None and not can(page[1])):
        return ""
    return link(page[0], tenant.slug)


def _events_orm(*, tenant: Tenant, user: User, everyone: bool) -> list[AuditEvent]:
    """The newest audit events: everyone's for people who may read the audit log, else
    only the viewer's own (what they did is no secret to them)."""
    events = audit_event_list(tenant=tenant)
    if not everyone:
        events = events.filter(actor=user)
    return list(events[:PREVIEW_ACTIVITY])
