"""Teams inside a tenant: nested (never in a cycle), members from its memberships."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from billing.plans import plan_require
from core.audit import audit_changed, audit_record
from core.text import typed_name
from tenants.audit import TenantAction, Via
from tenants.exceptions import (
    AlreadyAMemberError,
    DirectoryManagedError,
    PersonalTenantError,
    TeamCycleError,
)
from tenants.models import Membership, Team, TeamMember, Tenant
from tenants.services._common import assert_in_tenant, lock_tenant
from webhooks.events import event_emit

if TYPE_CHECKING:
    from accounts.models import User


def team_directory_refusal(*, team: Team) -> DirectoryManagedError | None:
    """Why the app may not change this team (None: it may): a team synced from the
    organisation's directory changes only there, or the next sync would undo it. The one
    rule, for the services below and for the teams page, which hides what it refuses."""
    if team.directory_managed:
        return DirectoryManagedError(
            _("“%(name)s” is synced from your identity provider: change it there.")
            % {"name": team.name}
        )
    return None


def _assert_app_may_change(team: Team, *, via_directory: bool) -> None:
    refusal = None if via_directory else team_directory_refusal(team=team)
    if refusal is not None:
        raise refusal


def _clean_name(*, tenant: Tenant, name: str, team: Team | None) -> str:
    name = typed_name(name)
    if not name:
        raise ValidationError({"name": _("Give the team a name.")})
    clash = Team.objects.for_tenant(tenant).filter(name__iexact=name)
    if team is not None:
        clash = clash.exclude(pk=team.pk)
    if clash.exists():
        raise ValidationError(
            {"name": _("A team called “%(name)s” already exists.") % {"name": name}}
        )
    return name


def _assert_no_cycle(*, team: Team, parent: Team | None) -> None:
    """Walk up from the new parent (one query for the whole tenant's tree)."""
    if parent is None:
        return
    parents = dict(Team.objects.for_tenant(team.tenant).values_list("pk", "parent_id"))
    node: int | None = parent.pk
    while node is not None:
        if node == team.pk:
            raise TeamCycleError(
                _(
                    "“%(team)s” cannot sit inside “%(parent)s”: that would nest the team "
                    "inside itself."
                )
                % {"team": team.name, "parent": parent.name}
            )
        node = parents.get(node)


@transaction.atomic
def team_create(
    *,
    tenant: Tenant,
    name: str,
    parent: Team | None = None,
    acting_user: User | None,
    directory_managed: bool = False,
) -> Team:
    """A team, optionally inside another team of the same tenant, if the plan has teams.
    `directory_managed`: created by the directory (SCIM), read-only in the app."""
    if tenant.is_personal:
        raise PersonalTenantError(_("Teams are for organisations: create one to work in teams."))
    assert_in_tenant(tenant, parent)
    plan_require(tenant=tenant, feature="teams")
    # The name is checked free under the tenant's lock, as team_update checks it: two
    # creates of one name at once passed the check and the second was a 500.
    lock_tenant(tenant)
    team = Team(
        tenant=tenant,
        name=_clean_name(tenant=tenant, name=name, team=None),
        parent=parent,
        directory_managed=directory_managed,
    )
    team.full_clean()
    team.save()
    audit_record(
        tenant=tenant,
        action=TenantAction.TEAM_CREATED,
        acting_user=acting_user,
        target=team,
        after={"name": team.name, "parent": parent.name if parent else None},
    )
    event_emit(
        tenant_id=tenant.pk,
        type="team.created",
        data={"team_id": team.pk, "name": team.name, "parent_id": team.parent_id},
    )
    return team


@transaction.atomic
def team_update(
    *,
    tenant: Tenant,
    team: Team,
    name: str,
    parent: Team | None,
    acting_user: User | None,
    via_directory: bool = False,
) -> Team:
    """Rename a team or move it under another team (never under itself or a sub-team)."""
    assert_in_tenant(tenant, team, parent)
    _assert_app_may_change(team, via_directory=via_directory)
    # Two moves at once (A under B, B under A) would each pass the cycle check below
    # and, committed together, hide both teams from the tree: one waits for the other.
    lock_tenant(tenant)
    name = _clean_name(tenant=tenant, name=name, team=team)
    _assert_no_cycle(team=team, parent=parent)
    before = _team_fields(team)
    team.name, team.parent = name, parent
    team.full_clean()
    team.save(update_fields=["name", "parent"])
    before, after = audit_changed(before, _team_fields(team))
    if after:
        audit_record(
            tenant=tenant,
            action=TenantAction.TEAM_UPDATED,
            acting_user=acting_user,
            target=team,
            before=before,
            after=after,
        )
    return team


def _team_fields(team: Team) -> dict[str, Any]:
    return {"name": team.name, "parent": team.parent.name if team.parent else None}


@transaction.atomic
def team_delete(
    *, tenant: Tenant, team: Team, acting_user: User | None, via_directory: bool = False
) -> None:
    """Delete a team; its sub-teams move up to its parent, memberships are untouched.
    A team deleted a moment ago (another tab) is left as it is: one event, sent once."""
    assert_in_tenant(tenant, team)
    _assert_app_may_change(team, via_directory=via_directory)
    lock_tenant(tenant)  # as team_update: its parent is read as it is now
    current = Team.objects.filter(pk=team.pk).values("parent_id").first()
    if current is None:
        return
    team.parent_id = current["parent_id"]
    audit_record(
        tenant=tenant,
        action=TenantAction.TEAM_DELETED,
        acting_user=acting_user,
        target=team,
        before={"name": team.name},
    )
    event_emit(
        tenant_id=tenant.pk, type="team.deleted", data={"team_id": team.pk, "name": team.name}
    )
    Team.objects.filter(parent=team).update(parent=team.parent_id)
    team.delete()


@transaction.atomic
def team_member_add(
    *,
    tenant: Tenant,
    team: Team,
    membership: Membership,
    acting_user: User | None,
    via_directory: bool = False,
    via_sso: bool = False,
) -> TeamMember:
    """Put a member of the tenant into one of its teams. `via_sso`: by the SSO
    connection's group sync, which marks the row as its own (the only rows it removes)."""
    assert_in_tenant(tenant, team, membership)
    _assert_app_may_change(team, via_directory=via_directory)
    if TeamMember.objects.filter(team=team, membership=membership).exists():
        raise AlreadyAMemberError(
            _("%(email)s is already in %(team)s.")
            % {"email": membership.user.email, "team": team.name}
        )
    row = TeamMember.objects.create(team=team, membership=membership, via_sso=via_sso)
    audit_record(
        tenant=tenant,
        action=TenantAction.TEAM_MEMBER_ADDED,
        acting_user=acting_user,
        target=membership,
        after={"team": team.name} | ({"via": Via.SSO_GROUPS} if via_sso else {}),
    )
    return row


@transaction.atomic
def team_member_remove(
    *,
    tenant: Tenant,
    team: Team,
    membership: Membership,
    acting_user: User | None,
    via_directory: bool = False,
    via_sso: bool = False,
) -> None:
    """Take a member out of a team (they stay in the tenant). `via_sso`: the SSO group
    sync, which removes only a row it added itself (never one added by hand)."""
    assert_in_tenant(tenant, team, membership)
    _assert_app_may_change(team, via_directory=via_directory)
    rows = TeamMember.objects.filter(team=team, membership=membership)
    if via_sso:
        rows = rows.filter(via_sso=True)
    removed, _ = rows.delete()
    if removed:
        audit_record(
            tenant=tenant,
            action=TenantAction.TEAM_MEMBER_REMOVED,
            acting_user=acting_user,
            target=membership,
            before={"team": team.name},
            after={"via": Via.SSO_GROUPS} if via_sso else None,
        )
