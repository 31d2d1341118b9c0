"""Team membership from the groups an organisation's IdP asserts at sign-in.

Only when the connection's "Sync team membership from groups" is on. A group names a
team by the team's name (case-insensitive); the sync never creates a team, never
touches a team SCIM manages (the directory owns those), and removes only the team
memberships it added itself (`TeamMember.via_sso`): one added by hand stays.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from core.audit import audit_actor_label
from sso.models import Connection
from tenants.models import Membership, Team, TeamMember
from tenants.services import team_member_add, team_member_remove

# The actor the audit log names for the sync's changes (data, like an API key's name).
ACTOR_LABEL = "SSO group sync"
MAX_GROUPS = 1000  # more than any IdP sends in one assertion


def asserted_groups(claims: dict[str, Any]) -> list[str] | None:
    """The group names in the IdP's claims (a list, or one string); None when the IdP
    said it left them out (Entra ID's "groups overage": `_claim_names.groups`), since
    then nothing is known and nothing may be removed."""
    names = claims.get("_claim_names")
    if isinstance(names, dict) and "groups" in names:
        return None
    raw = claims.get("groups") or []
    values: Iterable[Any] = [raw] if isinstance(raw, str) else raw
    if not isinstance(values, list | tuple):
        return []
    return [str(value).strip() for value in values[:MAX_GROUPS] if str(value).strip()]


@dataclass(frozen=True)
class GroupMapping:
    """What a list of groups means in an organisation: per group, its team (None: no
    team of that name) and whether SCIM manages that team (then the sync leaves it)."""

    rows: list[tuple[str, Team | None]]

    @property
    def teams(self) -> list[Team]:
        """The teams the sync puts the member in (SCIM-managed ones left out)."""
        found = {team.pk: team for _, team in self.rows if team and not team.directory_managed}
        return list(found.values())


def groups_map(*, connection: Connection, groups: list[str]) -> GroupMapping:
    """Each group and the existing team of the connection's organisation it names."""
    by_name = {team.name.casefold(): team for team in Team.objects.for_tenant(connection.tenant)}
    return GroupMapping(rows=[(group, by_name.get(group.casefold())) for group in groups])


@transaction.atomic
def teams_sync_from_groups(
    *, connection: Connection, membership: Membership, claims: dict[str, Any]
) -> None:
    """Put `membership` in the teams its asserted groups name, and out of those the
    sync had put it in that are no longer asserted. Does nothing when the connection's
    sync is off, the membership is suspended, or the IdP left the groups out."""
    if not connection.sync_teams_from_groups or membership.suspended_at is not None:
        return
    groups = asserted_groups(claims)
    if groups is None:
        return
    tenant = connection.tenant
    wanted = {team.pk: team for team in groups_map(connection=connection, groups=groups).teams}
    rows = TeamMember.objects.filter(tenant=tenant, membership=membership).select_related("team")
    current = {row.team_id: row for row in rows}
    with audit_actor_label(ACTOR_LABEL):
        for pk, team in wanted.items():
            if pk not in current:
                team_member_add(
                    tenant=tenant, team=team, membership=membership, acting_user=None, via_sso=True
                )
        for pk, row in current.items():
            if pk not in wanted and row.via_sso and not row.team.directory_managed:
                team_member_remove(
                    tenant=tenant,
                    team=row.team,
                    membership=membership,
                    acting_user=None,
                    via_sso=True,
                )
