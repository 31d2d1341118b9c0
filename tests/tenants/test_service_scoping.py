"""Every service that acts on rows of a tenant is handed that tenant by its caller
(request.tenant in views) and refuses a row of any other tenant, even when the
actor could act on that row in its own tenant: the check compares against the
request, never against the row's own tenant, so it can actually fail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from core.models import AuditEvent
from tenants import services
from tenants.exceptions import CrossTenantError
from tenants.invitations import invitation_cancel, invitation_create, invitation_resend
from tenants.models import Invitation, Membership, Role, Team, TeamMember, Tenant
from tests.tenants.factories import OrgFactory, add_member, make_team

pytestmark = pytest.mark.django_db


class Globex:
    """Another org, owned by the same person, with one of everything (and a team and a
    member in acme, to pair with them)."""

    def __init__(self, acme: Tenant, owner: Any) -> None:
        self.acme_team: Team = make_team(acme, "Ours")
        self.acme_member: Membership = add_member(acme)
        self.tenant: Tenant = OrgFactory(owner=owner, name="Globex")
        self.membership: Membership = add_member(self.tenant)
        self.role: Role = services.role_create(
            tenant=self.tenant, name="Editors", permissions=[], acting_user=owner
        )
        self.team: Team = make_team(self.tenant, "Globex team")
        TeamMember.objects.create(team=self.team, membership=self.membership)
        self.invitation: Invitation = invitation_create(
            tenant=self.tenant,
            email="invitee@example.com",
            role=Role.objects.get(tenant=self.tenant, key="member"),
            acting_user=owner,
        )


def _member_role(tenant: Tenant) -> Role:
    return Role.objects.get(tenant=tenant, key="member")


# Each case acts in `acme` (the request's tenant) on something of `globex`.
CASES: dict[str, Callable[[Tenant, Globex, Any], Any]] = {
    "membership_change_role": lambda acme, g, u: services.membership_change_role(
        tenant=acme, membership=g.membership, role=_member_role(acme), acting_user=u
    ),
    "membership_change_role to another tenant's role": lambda acme, g, u: (
        services.membership_change_role(
            tenant=acme, membership=g.acme_member, role=g.role, acting_user=u
        )
    ),
    "membership_remove": lambda acme, g, u: services.membership_remove(
        tenant=acme, membership=g.membership, acting_user=u
    ),
    "membership_leave": lambda acme, g, u: services.membership_leave(
        tenant=acme, membership=g.membership
    ),
    "membership_set_primary_contact": lambda acme, g, u: services.membership_set_primary_contact(
        tenant=acme, membership=g.membership, acting_user=u
    ),
    "membership_set_billing_contact": lambda acme, g, u: services.membership_set_billing_contact(
        tenant=acme, membership=g.membership, is_billing_contact=True, acting_user=u
    ),
    "membership_create with another tenant's role": lambda acme, g, u: services.membership_create(
        tenant=acme, user=g.membership.user, role=g.role, acting_user=u
    ),
    "role_update": lambda acme, g, u: services.role_update(
        tenant=acme, role=g.role, name="Renamed", permissions=[], acting_user=u
    ),
    "role_delete": lambda acme, g, u: services.role_delete(tenant=acme, role=g.role, acting_user=u),
    "team_create under another tenant's team": lambda acme, g, u: services.team_create(
        tenant=acme, name="Inside", parent=g.team, acting_user=u
    ),
    "team_update": lambda acme, g, u: services.team_update(
        tenant=acme, team=g.team, name="Renamed", parent=None, acting_user=u
    ),
    "team_update under another tenant's team": lambda acme, g, u: services.team_update(
        tenant=acme, team=g.acme_team, name="Ours", parent=g.team, acting_user=u
    ),
    "team_delete": lambda acme, g, u: services.team_delete(tenant=acme, team=g.team, acting_user=u),
    "team_member_add": lambda acme, g, u: services.team_member_add(
        tenant=acme, team=g.team, membership=g.acme_member, acting_user=u
    ),
    "team_member_add of another tenant's member": lambda acme, g, u: services.team_member_add(
        tenant=acme, team=g.acme_team, membership=g.membership, acting_user=u
    ),
    "team_member_remove": lambda acme, g, u: services.team_member_remove(
        tenant=acme, team=g.team, membership=g.membership, acting_user=u
    ),
    "invitation_create with another tenant's role": lambda acme, g, u: invitation_create(
        tenant=acme, email="x@example.com", role=g.role, acting_user=u
    ),
    "invitation_resend": lambda acme, g, u: invitation_resend(
        tenant=acme, invitation=g.invitation, acting_user=u
    ),
    "invitation_cancel": lambda acme, g, u: invitation_cancel(
        tenant=acme, invitation=g.invitation, acting_user=u
    ),
    "ownership_transfer": lambda acme, g, u: services.ownership_transfer(
        tenant=acme, to_membership=g.membership, acting_user=u
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_service_refuses_a_row_of_another_tenant_than_the_requests(
    case: str, acme: Any, owner: Any
) -> None:
    globex = Globex(acme, owner)  # the owner of acme owns globex too: only the tenant differs
    events = AuditEvent.objects.count()
    team_rows = TeamMember.objects.count()

    with pytest.raises(CrossTenantError):
        CASES[case](acme, globex, owner)

    assert AuditEvent.objects.count() == events
    assert TeamMember.objects.count() == team_rows
    assert Membership.objects.filter(pk=globex.membership.pk, role__key="member").exists()
    assert Role.objects.filter(pk=globex.role.pk, name="Editors").exists()
    assert Team.objects.filter(pk=globex.team.pk, name="Globex team", parent=None).exists()
    invitation = Invitation.objects.get(pk=globex.invitation.pk)
    assert (invitation.cancelled_at, invitation.token_hash) == (None, globex.invitation.token_hash)
