"""Teams: a nested list with members; create, rename/move, delete, add and remove members."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing.plans import plan_feature_gate
from core.decorators import tenant_permission_required
from core.errors import run_action
from core.paging import page_query
from core.permissions import TEAMS_MANAGE
from core.types import TenantRequest
from core.views import tenant_context
from tenants import services
from tenants.forms import TeamForm, TeamMemberAddForm
from tenants.selectors import (
    TeamNode,
    member_choices,
    member_count,
    member_suggestions,
    membership_get,
    team_get,
    team_member_page,
    team_node,
    team_tree_page,
)
from tenants.views._base import back, organisation_only

TEAMS_PAGE_SIZE = 25  # team cards per page of the teams page (each up to 12 chips)
TEAM_PAGE_SIZE = 100  # chips per page of a team's own page
# Up to this many members, the teams page lists them all for the add fields to suggest;
# past it (thousands of options on every page view) the fields ask as people type.
TEAM_LISTED_SUGGESTIONS = 200


def _context(request: TenantRequest, **extra: Any) -> dict[str, Any]:
    teams_page = team_tree_page(
        tenant=request.tenant, number=request.GET.get("page"), per_page=TEAMS_PAGE_SIZE
    )
    nodes: list[TeamNode] = list(teams_page)
    # The add fields' suggestions, for managers only: every member once per page, or in
    # a large organisation what matches the typing.
    choices = (
        member_choices(tenant=request.tenant, limit=TEAM_LISTED_SUGGESTIONS)
        if request.role.has_permission(TEAMS_MANAGE)
        else None
    )
    _offer(nodes, member_count=choices.total if choices else 0)
    return tenant_context(
        request,
        tab="teams",
        # Shown instead of the form: what teams do, and the upgrade.
        teams_gate=plan_feature_gate(tenant=request.tenant, feature="teams"),
        nodes=nodes,
        teams_page=teams_page,
        member_choices=choices,
        suggest_on_typing=bool(choices and _suggests_on_typing(choices.total)),
        **extra,
    )


def _suggests_on_typing(member_total: int) -> bool:
    """Whether the add fields ask as people type (member_choices then lists nobody)."""
    return member_total > TEAM_LISTED_SUGGESTIONS


def _offer(nodes: list[TeamNode], *, member_count: int) -> None:
    """Each card offers to add a member unless everyone is already in its team, and
    nothing at all on a team the directory manages (it says why)."""
    for node in nodes:
        refusal = services.team_directory_refusal(team=node.team)
        node.directory_note = str(refusal) if refusal else ""
        node.everyone_in = node.member_total >= member_count


@organisation_only
def team_list(request: TenantRequest) -> HttpResponse:
    form = None
    if request.role.has_permission(TEAMS_MANAGE) and not plan_feature_gate(
        tenant=request.tenant, feature="teams"
    ):
        form = TeamForm(tenant=request.tenant, user=request.user)
    return render(request, "tenants/teams.html", _context(request, form=form))


@organisation_only
def team_members(request: TenantRequest, team_id: int) -> HttpResponse:
    """Every member of one team, a page at a time (its card shows the first few)."""
    team = team_get(tenant=request.tenant, team_id=team_id)
    page = team_member_page(
        tenant=request.tenant, team=team, number=request.GET.get("page"), per_page=TEAM_PAGE_SIZE
    )
    refusal = services.team_directory_refusal(team=team)
    # The page's members as a card's: its chips are the teams page's own.
    node = TeamNode(
        team=team,
        depth=0,
        members=[row.membership for row in page],
        member_total=page.paginator.count,
        sso_member_ids=frozenset(row.membership_id for row in page if row.via_sso),
        directory_note=str(refusal) if refusal else "",
    )
    context = tenant_context(request, tab="teams", team=team, node=node, page=page)
    return render(request, "tenants/team_members.html", context)


@organisation_only
@tenant_permission_required(TEAMS_MANAGE)
def team_member_suggest(request: TenantRequest) -> HttpResponse:
    """The add fields' suggestions for what was typed (an organisation too large to list
    every member on the teams page): the options of the page's one datalist."""
    options = member_suggestions(tenant=request.tenant, typed=request.GET.get("email", ""))
    return render(request, "tenants/teams.html#member-options", {"options": options})


@require_POST
@organisation_only
@tenant_permission_required(TEAMS_MANAGE)
def team_create(request: TenantRequest) -> HttpResponse:
    form = TeamForm(request.POST, tenant=request.tenant, user=request.user)
    if form.is_valid():
        team = form.save()
        if team is not None:
            messages.success(request, _("Team “%(name)s” created.") % {"name": team.name})
            return back(request, "teams")
    # Refused (invalid, or the plan has no teams): the page again with the reason.
    return render(request, "tenants/teams.html", _context(request, form=form), status=400)


@organisation_only
@tenant_permission_required(TEAMS_MANAGE)
def team_edit(request: TenantRequest, team_id: int) -> HttpResponse:
    team = team_get(tenant=request.tenant, team_id=team_id)
    form = TeamForm(request.POST or None, tenant=request.tenant, user=request.user, team=team)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        if saved is not None:
            messages.success(request, _("Team “%(name)s” saved.") % {"name": saved.name})
            return back(request, "teams")
    context = tenant_context(request, tab="teams", form=form, team=team)
    return render(request, "tenants/team_edit.html", context)


@require_POST
@tenant_permission_required(TEAMS_MANAGE)
def team_delete(request: TenantRequest, team_id: int) -> HttpResponse:
    team = team_get(tenant=request.tenant, team_id=team_id)
    # Said of what was there: "its sub-teams moved up" after a team without any misled.
    success = (
        _("Team “%(name)s” deleted; its sub-teams moved up a level.")
        if team.children.exists()
        else _("Team “%(name)s” deleted.")
    )
    run_action(
        request,
        lambda: services.team_delete(tenant=request.tenant, team=team, acting_user=request.user),
        success=success % {"name": team.name},
    )
    return _back_to_teams(request)


def _back_to_teams(request: TenantRequest) -> HttpResponse:
    """After a plain post from a card: the teams page it was sent from."""
    url = reverse("tenant:teams", args=[request.tenant.slug])
    return redirect(url + page_query(request.POST.get("page")))


def _card(
    request: TenantRequest, team_id: int, error: str | None, *, adding: bool = False
) -> HttpResponse:
    """Re-render one team card for htmx. `adding`: the answer to its add field, which
    keeps what was typed and is marked invalid when refused (an unknown address, say)."""
    node = team_node(tenant=request.tenant, team_id=team_id)
    members = member_count(tenant=request.tenant)
    _offer([node], member_count=members)
    refused = adding and bool(error)
    context = tenant_context(
        request,
        tab="teams",
        node=node,
        suggest_on_typing=_suggests_on_typing(members),
        card_error=error,
        add_refused=refused,
        typed=request.POST.get("email", "") if refused else "",
    )
    return render(request, "tenants/teams.html#team-card", context)


@require_POST
@tenant_permission_required(TEAMS_MANAGE)
def team_member_add(request: TenantRequest, team_id: int) -> HttpResponse:
    team = team_get(tenant=request.tenant, team_id=team_id)
    form = TeamMemberAddForm(request.POST, tenant=request.tenant)
    if form.is_valid():
        membership = form.cleaned_data["membership"]
        error = run_action(
            request,
            lambda: services.team_member_add(
                tenant=request.tenant, team=team, membership=membership, acting_user=request.user
            ),
            success=_("%(email)s added to %(team)s.")
            % {"email": membership.user.email, "team": team.name},
        ).error
    else:
        error = str(form.errors["email"][0])  # the message (ErrorList.__getitem__)
        if not request.htmx:
            messages.error(request, error)
    if request.htmx:
        return _card(request, team.pk, error, adding=True)
    return _back_to_teams(request)


@require_POST
@tenant_permission_required(TEAMS_MANAGE)
def team_member_remove(request: TenantRequest, team_id: int, membership_id: int) -> HttpResponse:
    team = team_get(tenant=request.tenant, team_id=team_id)
    membership = membership_get(tenant=request.tenant, membership_id=membership_id)
    error = run_action(
        request,
        lambda: services.team_member_remove(
            tenant=request.tenant, team=team, membership=membership, acting_user=request.user
        ),
        success=_("%(email)s removed from %(team)s.")
        % {"email": membership.user.email, "team": team.name},
    ).error
    if request.htmx:
        return _card(request, team.pk, error)
    if request.POST.get("back") == "team":  # from the team's own page: to the same page
        url = reverse("tenant:team-members", args=[request.tenant.slug, team.pk])
        return redirect(url + page_query(request.POST.get("page")))
    return _back_to_teams(request)
