"""Teams and who is in them, through the teams page's services."""

from __future__ import annotations

from typing import Any

from ninja import Router, Status

from api.auth import ApiRequest, KeyBearer
from api.pagination import DEFAULT_LIMIT, Cursor, Limit, paginate
from api.routes import ERRORS
from api.routes.members import member_out
from api.schemas import MemberPage, Team, TeamIn, TeamMemberIn, TeamPage
from core.permissions import TEAMS_MANAGE
from tenants import services
from tenants.models import Membership
from tenants.models import Team as TeamRow
from tenants.selectors import membership_get, team_get

router = Router(tags=["Teams"])


def team_out(team: TeamRow) -> dict[str, Any]:
    return {
        "id": team.pk,
        "name": team.name,
        "parent_id": team.parent_id,
        "created_at": team.created_at,
    }


@router.get("/teams", response={200: TeamPage, **ERRORS}, summary="List teams")
def teams_list(request: ApiRequest, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT) -> Any:
    rows = TeamRow.objects.for_tenant(request.api_key.tenant)
    return paginate(rows, cursor=cursor, limit=limit, serialize=team_out)


@router.post(
    "/teams",
    response={201: Team, **ERRORS},
    summary="Create a team",
    auth=KeyBearer(scope=TEAMS_MANAGE),
)
def teams_create(request: ApiRequest, body: TeamIn) -> Any:
    tenant = request.api_key.tenant
    parent = team_get(tenant=tenant, team_id=body.parent_id) if body.parent_id else None
    team = services.team_create(tenant=tenant, name=body.name, parent=parent, acting_user=None)
    return Status(201, team_out(team))


@router.get("/teams/{team_id}", response={200: Team, **ERRORS}, summary="Get a team")
def teams_get(request: ApiRequest, team_id: int) -> Any:
    return team_out(team_get(tenant=request.api_key.tenant, team_id=team_id))


@router.post(
    "/teams/{team_id}/delete",
    response={204: None, **ERRORS},
    summary="Delete a team",
    auth=KeyBearer(scope=TEAMS_MANAGE),
)
def teams_delete(request: ApiRequest, team_id: int) -> Any:
    tenant = request.api_key.tenant
    services.team_delete(
        tenant=tenant, team=team_get(tenant=tenant, team_id=team_id), acting_user=None
    )
    return Status(204, None)


@router.get(
    "/teams/{team_id}/members", response={200: MemberPage, **ERRORS}, summary="List team members"
)
def team_members_list(
    request: ApiRequest, team_id: int, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
) -> Any:
    team = team_get(tenant=request.api_key.tenant, team_id=team_id)
    rows = Membership.objects.for_tenant(team.tenant).filter(teams=team)
    rows = rows.select_related("user", "role")
    return paginate(rows, cursor=cursor, limit=limit, serialize=member_out)


@router.post(
    "/teams/{team_id}/members",
    response={204: None, **ERRORS},
    summary="Add a member to a team",
    auth=KeyBearer(scope=TEAMS_MANAGE),
)
def team_members_add(request: ApiRequest, team_id: int, body: TeamMemberIn) -> Any:
    tenant = request.api_key.tenant
    team = team_get(tenant=tenant, team_id=team_id)
    membership = membership_get(tenant=tenant, membership_id=body.member_id)
    services.team_member_add(tenant=tenant, team=team, membership=membership, acting_user=None)
    return Status(204, None)


@router.post(
    "/teams/{team_id}/members/{member_id}/remove",
    response={204: None, **ERRORS},
    summary="Take a member out of a team",
    auth=KeyBearer(scope=TEAMS_MANAGE),
)
def team_members_remove(request: ApiRequest, team_id: int, member_id: int) -> Any:
    tenant = request.api_key.tenant
    team = team_get(tenant=tenant, team_id=team_id)
    membership = membership_get(tenant=tenant, membership_id=member_id)
    services.team_member_remove(tenant=tenant, team=team, membership=membership, acting_user=None)
    return Status(204, None)
