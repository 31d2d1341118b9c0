"""Reads across tenants, memberships, roles and teams. Tenant data is always read
with `tenant=`: the selectors are where tenant scoping is applied for views."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, cached_property
from typing import TYPE_CHECKING

from django.core.paginator import Page, Paginator
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Count, F, Prefetch, Q, QuerySet, Window, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404

from billing.models import Account
from billing.plans import plan_history_cutoff
from core.members import members_who_can_act, seat_holders
from core.models import AuditEvent
from core.paging import page_with_totals
from core.prebuilt_sql import fetch_one, json_rows, json_value, select_list, table
from mfa.selectors import two_factor_enabled
from tenants.models import (
    Invitation,
    Membership,
    Role,
    Team,
    TeamMember,
    Tenant,
    invitations_open,
    role_label,
)

if TYPE_CHECKING:
    from datetime import datetime

    from accounts.models import User


def acting_owners(prefix: str = "") -> Q:
    """Owners who can act: the owner role, held by someone the directory has not
    suspended and staff have not deactivated (`members_who_can_act`). What the
    last-owner rules, account deletion and the owners' notices count. `prefix` reaches
    memberships from another model."""
    return Q(**{f"{prefix}role__key": Role.Key.OWNER}) & members_who_can_act(prefix)


def membership_for_request(*, user: User, slug: str) -> Membership | None:
    """The user's membership in the live tenant with this slug, with tenant and role
    loaded in the same query; None when the user is not a member, the directory
    suspended them, or the tenant is deleted.
    The billing account comes along too: every tenant page's chrome reads its status
    (billing's past-due banner), and a join here is cheaper than a second query. So
    does the header's workspace switcher (`membership.switcher`, the user's
    workspaces as `workspace_list_for_user` reads them): read in the same statement, it
    is as fresh as the membership itself."""
    found = fetch_one(_membership_for_request_sql(), [slug, user.pk, slug], _REQUEST_MODELS)
    if found is None:
        return None
    membership: Membership
    tenant: Tenant
    role: Role
    account: Account
    membership, tenant, role, account, switcher = found
    tenant.account = account
    membership.tenant = tenant
    membership.role = role
    membership.user = user  # the rules read `membership.user` (is_active); no query
    membership.switcher = _workspace_menu(switcher)
    return membership


# Membership, tenant, role, account: the order of the columns in the prebuilt SQL.
_REQUEST_MODELS = (Membership, Tenant, Role, Account)


@cache
def _membership_for_request_sql() -> str:
    """Every tenant page runs this, so it is prebuilt (see core/prebuilt_sql.py)."""
    # Identifiers come from model metadata; every value is a query parameter.
    return (
        f"SELECT {select_list(Membership, 'm')}, {select_list(Tenant, 't')}, "  # noqa: S608
        f"{select_list(Role, 'r')}, {select_list(Account, 'a')}, "
        f"{_workspaces_sql('m.user_id', current_slug='%s')} "
        f"FROM {table(Membership)} m "
        f"INNER JOIN {table(Tenant)} t ON t.id = m.tenant_id "
        f"INNER JOIN {table(Role)} r ON r.id = m.role_id "
        f"INNER JOIN {table(Account)} a ON a.id = t.account_id "
        "WHERE m.user_id = %s AND t.slug = %s AND t.deleted_at IS NULL "
        "AND m.suspended_at IS NULL"
    )


@dataclass(frozen=True)
class Workspace:
    """One line of the workspace switcher: a live tenant of the user and their role."""

    tenant_id: int
    slug: str
    name: str
    kind: str
    logo: str
    role_name: str
    role_key: str  # "" for a custom role

    @property
    def is_personal(self) -> bool:
        return self.kind == Tenant.Kind.PERSONAL

    @property
    def role_label(self) -> str:
        return role_label(name=self.role_name, key=self.role_key)


# The header's switcher lists at most this many workspaces; "All workspaces" lists them
# all. Someone in hundreds of organisations (a consultant, an agency) would otherwise get
# hundreds of links on every page.
SWITCHER_WORKSPACES = 10


@dataclass(frozen=True)
class WorkspaceMenu:
    """The switcher's list: everything when the person has at most SWITCHER_WORKSPACES
    workspaces, else the personal one, the one the page is in and those visited most
    recently (`last_visited_at`), listed in the usual order; `total` counts them all."""

    workspaces: tuple[Workspace, ...]
    total: int

    def __iter__(self) -> Iterator[Workspace]:
        return iter(self.workspaces)

    def __len__(self) -> int:
        return len(self.workspaces)

    @property
    def hidden(self) -> int:
        """How many workspaces the switcher leaves to "All workspaces"."""
        return self.total - len(self.workspaces)

    @cached_property
    def shared_names(self) -> frozenset[str]:
        """Names two listed workspaces share: the switcher adds their addresses (a walk
        made a second "Acme Inc" and got two rows it could not tell apart)."""
        counts = Counter(workspace.name for workspace in self.workspaces)
        return frozenset(name for name, count in counts.items() if count > 1)


def workspace_menu_for_user(*, user: User) -> WorkspaceMenu:
    """The switcher's list on pages outside a tenant, in one prebuilt statement (tenant
    pages get it with their membership)."""
    with connection.cursor() as cursor:
        cursor.execute(_workspace_list_sql(), [user.pk])
        (value,) = cursor.fetchone()
    return _workspace_menu(value)


@cache
def _workspace_list_sql() -> str:
    return f"SELECT {_workspaces_sql('%s', current_slug='NULL')}"


# Personal first, then organisations by name: membership_list_for_user's order.
_WORKSPACE_ORDER = "wt.kind DESC, wt.name ASC, wt.id ASC"


def _workspaces_sql(user_id: str, *, current_slug: str) -> str:
    """The switcher's list as one JSON column, each row ending with the count of every
    workspace (counted before the LIMIT). `user_id` is a column or a placeholder;
    `current_slug` (the page's tenant) a placeholder or NULL: a parameter, not the outer
    row's column, which SQLite cannot read in a nested subquery's ORDER BY."""
    return json_rows(
        [
            "wt.id",
            "wt.slug",
            "wt.name",
            "wt.kind",
            "wt.logo",
            "wr.name",
            "wr.key",
            "count(*) OVER ()",
        ],
        f"FROM {table(Membership)} wm "  # noqa: S608 - identifiers from model metadata
        f"INNER JOIN {table(Tenant)} wt ON wt.id = wm.tenant_id "
        f"INNER JOIN {table(Role)} wr ON wr.id = wm.role_id "
        f"WHERE wm.user_id = {user_id} AND wt.deleted_at IS NULL AND wm.suspended_at IS NULL",
        _WORKSPACE_ORDER,
        SWITCHER_WORKSPACES,
        pick_by=(
            f"CASE WHEN wt.slug = {current_slug} THEN 0 "
            f"WHEN wt.kind = '{Tenant.Kind.PERSONAL.value}' THEN 1 ELSE 2 END, "
            f"wm.last_visited_at DESC NULLS LAST, {_WORKSPACE_ORDER}"
        ),
    )


def _workspace_menu(value: object) -> WorkspaceMenu:
    rows = json_value(value)
    return WorkspaceMenu(
        workspaces=tuple(Workspace(*row[:-1]) for row in rows),
        total=rows[0][-1] if rows else 0,
    )


def membership_for_old_slug(*, user: User, slug: str) -> Membership | None:
    """The user's membership in the live tenant that used to have this slug (one query).
    Only asked after membership_for_request missed, so the common path stays one query."""
    try:
        return Membership.objects.select_related("tenant").get(
            user=user,
            tenant__slug_redirects__slug=slug,
            tenant__deleted_at__isnull=True,
            suspended_at__isnull=True,
        )
    except Membership.DoesNotExist:
        return None


def tenant_deleted_for_member(*, user: User, slug: str) -> Tenant | None:
    """The deleted organisation with this slug, when the user was a member of it: they
    hear it was deleted (410) rather than a bare 404; anyone else still learns nothing
    of it. Only asked after both live lookups missed."""
    return Tenant.objects.filter(
        slug=slug, deleted_at__isnull=False, memberships__user=user
    ).first()


def membership_for_app(*, user: User) -> Membership | None:
    """Where sign-in and /app/ land: the live workspace the user worked in last, from any
    browser (`last_visited_at`, see tenants/services/member_state.py). A workspace that
    is gone or that they left has no row here, so the next most recent one wins; never
    visited ones come after, organisations before the personal workspace (one query)."""
    return (
        Membership.objects.select_related("tenant")
        .filter(user=user, tenant__deleted_at__isnull=True, suspended_at__isnull=True)
        # "org" sorts before "personal".
        .order_by(F("last_visited_at").desc(nulls_last=True), "tenant__kind", "-joined_at")
        .first()
    )


def membership_list_for_user(*, user: User) -> list[Membership]:
    """The user's live tenants with their role: personal first, then orgs by name, not
    those whose directory suspended them (the ORM's definition of the switcher's list;
    `workspace_menu_for_user` is its fast twin, capped at SWITCHER_WORKSPACES, and
    tests/tenants/test_switcher.py keeps the two equal)."""
    return list(
        Membership.objects.select_related("tenant", "role")
        .filter(user=user, tenant__deleted_at__isnull=True, suspended_at__isnull=True)
        .order_by("-tenant__kind", "tenant__name", "tenant_id")
    )


def membership_list_for_user_with_counts(*, user: User) -> list[Membership]:
    """membership_list_for_user, each tenant annotated with `member_count` (its seat
    holders; one query)."""
    return list(
        Membership.objects.select_related("tenant", "role", "tenant__account")
        .filter(user=user, tenant__deleted_at__isnull=True, suspended_at__isnull=True)
        .annotate(
            member_count=Count(
                "tenant__memberships",
                filter=seat_holders("tenant__memberships__"),
                distinct=True,
            )
        )
        .order_by("-tenant__kind", "tenant__name", "tenant_id")
    )


def membership_list(*, tenant: Tenant) -> QuerySet[Membership]:
    """Members with user, role and `two_factor` (on or off): owners first, then by name
    (then id, so pages of the list never share or skip a member)."""
    return (
        Membership.objects.for_tenant(tenant)
        .select_related("user", "role")
        .annotate(two_factor=two_factor_enabled("user"))
        .order_by("-role__key", "user__name", "user__email", "pk")
    )


def membership_page(
    *, tenant: Tenant, number: str | None, per_page: int
) -> tuple[Page, ContactCounts]:
    """One page of `membership_list` and the whole tenant's `ContactCounts`, in one query."""
    page, totals = page_with_totals(
        membership_list(tenant=tenant),
        number=number,
        per_page=per_page,
        owners=Count("pk", filter=acting_owners()),
        billing_contacts=Count("pk", filter=Q(is_billing_contact=True) & members_who_can_act()),
    )
    return page, ContactCounts(
        owners=totals["owners"],
        billing_contacts=totals["billing_contacts"],
        tenant=tenant,
    )


def membership_find_by_email(*, tenant: Tenant, email: str) -> Membership | None:
    """The tenant's member with this address (any case), with user and tenant; or None."""
    return (
        Membership.objects.for_tenant(tenant)
        .select_related("user", "tenant")
        .filter(user__email__iexact=email)
        .first()
    )


def memberships_named(*, tenant: Tenant, name: str, limit: int = 2) -> list[Membership]:
    """Up to `limit` of the tenant's members whose name is `name` (any case), with user and
    tenant: a team card's field takes a name as well as an address, and two people may
    share one."""
    return list(
        Membership.objects.for_tenant(tenant)
        .select_related("user", "tenant")
        .filter(user__name__iexact=name)
        .order_by("pk")[:limit]
    )


def memberships_name_starting(*, tenant: Tenant, text: str, limit: int = 4) -> list[Membership]:
    """Up to `limit` of the tenant's members one of whose names' words starts with `text`
    (any case): "otto" finds "Otto Zwei" and "Anna Ottolenghi", by name."""
    return list(
        Membership.objects.for_tenant(tenant)
        .select_related("user", "tenant")
        .filter(Q(user__name__istartswith=text) | Q(user__name__icontains=f" {text}"))
        .order_by("user__name", "pk")[:limit]
    )


@dataclass(frozen=True)
class MemberChoices:
    """What the team cards' add fields suggest: every member, (email, name) by name,
    when there are at most the `limit` asked for; else none, and the fields ask for
    suggestions as people type (`member_suggestions`)."""

    total: int
    listed: list[tuple[str, str]]


def member_choices(*, tenant: Tenant, limit: int) -> MemberChoices:
    """The members to list on the teams page and how many there are: one statement."""
    rows = list(
        Membership.objects.for_tenant(tenant)
        .annotate(total=Window(Count("pk")))
        .order_by("user__name", "user__email", "pk")
        .values_list("user__email", "user__name", "total")[: limit + 1]
    )
    total = rows[0][2] if rows else 0
    listed = [(email, name) for email, name, _total in rows] if total <= limit else []
    return MemberChoices(total=total, listed=listed)


def member_suggestions(
    *,
    tenant: Tenant,
    typed: str,
    limit: int = 20,
    excluding: User | None = None,
    active_only: bool = False,
) -> list[tuple[str, str]]:
    """Up to `limit` members (other than `excluding`; with `active_only`, only those who
    can act: not suspended, not deactivated) whose name or address contains what was
    typed (at least two characters), (email, name) by name: a large organisation's
    suggestions for the team cards' add fields and the new owner's field."""
    typed = " ".join(typed.split())
    if len(typed) < 2:
        return []
    members = Membership.objects.for_tenant(tenant)
    if excluding is not None:
        members = members.exclude(user=excluding)
    if active_only:
        members = members.filter(members_who_can_act())
    return list(
        members.filter(Q(user__name__icontains=typed) | Q(user__email__icontains=typed))
        .order_by("user__name", "user__email", "pk")
        .values_list("user__email", "user__name")[:limit]
    )


def member_count(*, tenant: Tenant) -> int:
    """Every membership of the tenant, suspended ones included (as `membership_list`)."""
    return Membership.objects.for_tenant(tenant).count()


def owner_emails(*, tenant: Tenant) -> list[str]:
    """Where notices about the organisation go (an integration failing): its owners',
    not suspended ones. (webhooks, below tenancy, applies the same filter itself.)"""
    return list(
        Membership.objects.for_tenant(tenant)
        .filter(acting_owners())
        .values_list("user__email", flat=True)
    )


def primary_contact_get(*, tenant: Tenant) -> Membership | None:
    """The tenant's primary contact (at most one: a constraint), with user and role."""
    return (
        Membership.objects.for_tenant(tenant)
        .filter(is_primary_contact=True)
        .select_related("user", "role")
        .first()
    )


def primary_contact_ids(*, tenant: Tenant) -> list[int]:
    return list(
        Membership.objects.for_tenant(tenant)
        .filter(is_primary_contact=True)
        .values_list("pk", flat=True)
    )


def membership_get(*, tenant: Tenant, membership_id: int) -> Membership:
    """A member of this tenant (with `two_factor`), or 404 (also for another tenant's)."""
    return get_object_or_404(
        Membership.objects.for_tenant(tenant)
        .select_related("user", "role", "tenant")
        .annotate(two_factor=two_factor_enabled("user")),
        pk=membership_id,
    )


def orgs_requiring_two_factor(*, user: User) -> list[str]:
    """Names of the person's live organisations that require two-factor authentication."""
    return list(
        Tenant.objects.filter(
            memberships__user=user,
            kind=Tenant.Kind.ORG,
            deleted_at__isnull=True,
            two_factor_required_at__isnull=False,
        )
        .order_by("name")
        .values_list("name", flat=True)
    )


def members_without_two_factor(*, tenant: Tenant) -> int:
    return (
        Membership.objects.for_tenant(tenant)
        .annotate(two_factor=two_factor_enabled("user"))
        .filter(two_factor=False)
        .count()
    )


@dataclass
class ContactCounts:
    """A tenant's owners and billing contacts, and its primary contact: what the
    last-owner, last-billing-contact and primary-contact rules
    (tenants/services/memberships.py) need to know. Counted over the whole tenant,
    never one page of it."""

    owners: int
    billing_contacts: int
    tenant: Tenant

    @cached_property
    def primary_contact(self) -> Membership | None:
        """Read when first asked (one query): only a viewer who is not an owner needs it
        (the members page's query count is pinned for an owner's)."""
        return primary_contact_get(tenant=self.tenant)


def role_list(*, tenant: Tenant) -> list[Role]:
    """Built-in roles first (owner…member), then custom roles; with `member_count` and
    `open_invitations` (what `role_delete_refusal` weighs)."""
    order = {key: i for i, key in enumerate(Role.Key.values)}
    roles = list(
        Role.objects.for_tenant(tenant).annotate(
            member_count=Count("memberships", distinct=True),
            open_invitations=Count(
                "invitations", filter=invitations_open("invitations__"), distinct=True
            ),
        )
    )
    return sorted(roles, key=lambda r: (order.get(r.key, len(order)), r.name.lower()))


def role_get(*, tenant: Tenant, role_id: int) -> Role:
    return get_object_or_404(Role.objects.for_tenant(tenant).select_related("tenant"), pk=role_id)


# Members shown on a team's card on the teams page; the team's own page lists them all.
# A directory's "everyone" group can be a team of thousands: every chip on one page
# made that page megabytes and half a second of CPU per thousand members.
TEAM_CARD_MEMBERS = 12


@dataclass
class TeamNode:
    team: Team
    depth: int
    # The first TEAM_CARD_MEMBERS by name (all of them, for a team that small).
    members: list[Membership]
    # How many the team has in all.
    member_total: int = 0
    # Those the SSO connection's group sync put in this team (TeamMember.via_sso): it
    # puts them back at their next sign-in if they are taken out here.
    sso_member_ids: frozenset[int] = frozenset()
    # Set by the teams page: every member of the tenant is in this team (nobody to add).
    everyone_in: bool = False
    # Set by the teams page: why the app may not change this team ("" when it may).
    directory_note: str = ""

    @property
    def more_members(self) -> int:
        """Members not on the card (its link leads to the team's page)."""
        return self.member_total - len(self.members)


def _team_rows() -> QuerySet[TeamMember]:
    """A team's memberships with their people, by name: the order of card and page."""
    return TeamMember.objects.select_related("membership__user").order_by(
        "membership__user__name", "pk"
    )


def team_tree_page(*, tenant: Tenant, number: str | None, per_page: int) -> Page:
    """One page of the teams in tree order (parents before children; a page may open
    with a sub-team whose parent ended the one before), each with how many members it
    has and its first TEAM_CARD_MEMBERS: three queries, whatever the teams' number and
    sizes. A directory can sync hundreds of groups as teams: only the page's are built
    and counted."""
    page = Paginator(_tree_order(tenant), per_page).get_page(number)
    # The page counts places; what it holds are their cards.
    page.object_list = _nodes(tenant, list(page.object_list))  # type: ignore[assignment]
    return page


def team_node(*, tenant: Tenant, team_id: int) -> TeamNode:
    """One team's card, as on its page of the tree (an htmx answer): three queries."""
    place = next((place for place in _tree_order(tenant) if place[0] == team_id), None)
    nodes = _nodes(tenant, [place]) if place else []
    if not nodes:
        raise Http404
    return nodes[0]


def _team_children(tenant: Tenant) -> dict[int | None, list[int]]:
    """Parent id (None: top level) -> its sub-teams' ids by name: one query of two
    columns. Building every team as a row cost a thousand-team workspace ~20 ms a page
    view for the 25 cards it shows."""
    children: dict[int | None, list[int]] = {}
    rows = Team.objects.for_tenant(tenant).order_by("name", "pk").values_list("pk", "parent_id")
    for pk, parent_id in rows:
        children.setdefault(parent_id, []).append(pk)
    return children


def _tree_order(tenant: Tenant) -> list[tuple[int, int]]:
    """(id, depth) of every team in tree order, sub-teams by name under their parent."""
    children = _team_children(tenant)
    order: list[tuple[int, int]] = []
    stack = [(pk, 0) for pk in reversed(children.get(None, []))]
    while stack:
        pk, depth = stack.pop()
        order.append((pk, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(pk, [])))
    return order


def team_with_sub_teams_ids(*, tenant: Tenant, team: Team) -> set[int]:
    """The team and every team inside it, at any depth: what it cannot be moved into
    (the service refuses that cycle; the form does not offer it). One query."""
    children = _team_children(tenant)
    found, waiting = set(), [team.pk]
    while waiting:
        pk = waiting.pop()
        if pk not in found:
            found.add(pk)
            waiting.extend(children.get(pk, []))
    return found


def _nodes(tenant: Tenant, places: list[tuple[int, int]]) -> list[TeamNode]:
    """The cards of the teams at `places` ((id, depth), in order), with their sizes and
    first members: two queries. A team deleted since its place was read is left out."""
    if not places:
        return []
    teams = (
        Team.objects.for_tenant(tenant)
        .filter(pk__in=[pk for pk, _depth in places])
        .annotate(member_total=Count("teammember"))
        .in_bulk()
    )
    nodes = [
        TeamNode(
            team=team,
            depth=depth,
            members=[],
            member_total=team.member_total,
        )
        for pk, depth in places
        if (team := teams.get(pk)) is not None
    ]
    _with_first_members(nodes)
    return nodes


def _with_first_members(nodes: list[TeamNode]) -> None:
    """Each node's first TEAM_CARD_MEMBERS by name and which of them SSO put there: one
    query (a window-sliced prefetch) for all of them."""
    prefetch_related_objects(
        [node.team for node in nodes],
        Prefetch("teammember_set", queryset=_team_rows()[:TEAM_CARD_MEMBERS], to_attr="rows"),
    )
    for node in nodes:
        rows: list[TeamMember] = node.team.rows  # type: ignore[attr-defined]  # to_attr
        node.members = [row.membership for row in rows]
        node.sso_member_ids = frozenset(row.membership_id for row in rows if row.via_sso)


def team_member_page(*, tenant: Tenant, team: Team, number: str | None, per_page: int) -> Page:
    """One page of the team's memberships (TeamMember rows with membership and person),
    by name, as its card orders them; one statement."""
    page, _totals = page_with_totals(
        _team_rows().filter(tenant=tenant, team=team), number=number, per_page=per_page
    )
    return page


def team_get(*, tenant: Tenant, team_id: int) -> Team:
    return get_object_or_404(Team.objects.for_tenant(tenant).select_related("tenant"), pk=team_id)


def audit_event_list(
    *,
    tenant: Tenant,
    action: str = "",
    actor_id: int | None = None,
    system: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> QuerySet[AuditEvent]:
    """The tenant's audit log, newest first, optionally one action only and one person's
    events only (`actor_id`) or the system's (`system`: no person and no API key or
    directory sync named, what the page badges "System"), from `since` (inclusive) and
    before `until`; actors joined; only as far back as the plan shows
    (`plan_history_cutoff`), for the page and the API alike.

    `using`: the page passes `core.replica.replica_alias(request)`; a list that lags
    by a second is fine, and the person who just acted reads the primary.
    """
    events = (
        AuditEvent.objects.using(using).for_tenant(tenant).select_related("actor", "impersonator")
    )
    cutoff = plan_history_cutoff(tenant=tenant)
    if cutoff is not None:
        events = events.filter(created_at__gte=cutoff)
    if since is not None:
        events = events.filter(created_at__gte=since)
    if until is not None:
        events = events.filter(created_at__lt=until)
    if action:
        events = events.filter(action=action)
    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
    elif system:
        events = events.filter(actor__isnull=True, actor_label="")
    return events.order_by("-created_at", "-pk")


def audit_actor_list(*, tenant: Tenant, limit: int, using: str = DEFAULT_DB_ALIAS) -> list[User]:
    """The people the audit page's "Who" menu offers: the tenant's current members by
    name, then email, at most `limit` (one query). Every member already sees who else
    is a member."""
    memberships = (
        Membership.objects.using(using)
        .for_tenant(tenant)
        .select_related("user")
        .order_by("user__name", "user__email", "pk")[:limit]
    )
    return [membership.user for membership in memberships]


def audit_actor_find(
    *, tenant: Tenant, user_id: int, using: str = DEFAULT_DB_ALIAS
) -> tuple[User, bool] | None:
    """Someone the audit page filters by beyond its menu, and whether they are still a
    member: a current member, or anyone who acted here and has gone (what a former member
    did is what an owner asks first once they leave). None for anyone else, so an id
    tells an owner nothing about people elsewhere. At most two queries, each on an index."""
    membership = (
        Membership.objects.using(using)
        .for_tenant(tenant)
        .filter(user_id=user_id)
        .select_related("user")
        .first()
    )
    if membership is not None:
        return membership.user, True
    # Any one of their events here names them (tenants_audit_actor finds it).
    acted = (
        AuditEvent.objects.using(using)
        .for_tenant(tenant)
        .filter(actor_id=user_id)
        .select_related("actor")
        .order_by()[:1]
    )
    for event in acted:
        if event.actor is not None:  # the filter above says so; the type does not
            return event.actor, False
    return None


def orgs_blocking_deletion(*, user: User) -> list[Tenant]:
    """Live orgs where the user is the only owner who can act (one the directory
    suspended does not count, as in tenants.services owner_count): they block deleting
    the account. One query, whatever the organisations' sizes."""
    owned = Membership.objects.filter(acting_owners(), user=user, tenant__kind=Tenant.Kind.ORG)
    return list(
        Tenant.objects.filter(pk__in=owned.values("tenant_id"), deleted_at__isnull=True)
        .annotate(owners=Count("memberships", filter=acting_owners("memberships__")))
        .filter(owners=1)
        .order_by("name")
    )


def tenant_seats_taken(*, tenant: Tenant) -> int:
    """Members holding a seat (not suspended) plus pending invitations: what counts
    against the plan's member cap (`billing.plans.plan_check_members` takes it from here)."""
    members = Membership.objects.for_tenant(tenant).filter(seat_holders()).count()
    return members + Invitation.objects.for_tenant(tenant).pending().count()
