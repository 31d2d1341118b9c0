"""Members: list, change role, remove; and invitations: list, invite, resend, cancel.

Writes go through the members page's services with the key as the actor: the key's
scopes play the part of the role (`api.auth.key_role`), checked by the same rules
(`assert_may_grant`, `assert_may_manage`; for a role change or a removal inside the
service, under the tenant's lock, as `acting_as`), and the audit log names the key.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from ninja import Router, Status

from api.auth import ApiRequest, KeyBearer
from api.pagination import (
    DEFAULT_LIMIT,
    Cursor,
    Limit,
    cursor_after,
    page_of,
    paginate,
)
from api.routes import ERRORS
from api.schemas import (
    Invitation,
    InvitationIn,
    InvitationPage,
    Member,
    MemberPage,
    RoleChange,
    member_answer,
)
from api.selectors import member_rows
from core.permissions import MEMBERS_INVITE, MEMBERS_MANAGE
from tenants import invitations, services
from tenants.models import Invitation as InvitationRow
from tenants.models import Membership, Team
from tenants.selectors import membership_get, role_get
from tenants.services._common import assert_may_grant

router = Router(tags=["Members"])


def member_out(membership: Membership) -> dict[str, Any]:
    user = membership.user
    return member_answer(
        membership_id=membership.pk,
        user_id=user.pk,
        email=user.email,
        name=user.name,
        role_id=membership.role_id,
        role_name=membership.role.name,
        is_primary_contact=membership.is_primary_contact,
        is_billing_contact=membership.is_billing_contact,
        joined_at=membership.joined_at,
    )


def invitation_out(invitation: InvitationRow) -> dict[str, Any]:
    return {
        "id": invitation.pk,
        "email": invitation.email,
        "role": {"id": invitation.role_id, "name": invitation.role.name},
        "status": invitation.status,
        "sent_at": invitation.sent_at,
        "expires_at": invitation.expires_at,
    }


@router.get("/members", response={200: MemberPage, **ERRORS}, summary="List members")
def members_list(request: ApiRequest, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT) -> Any:
    rows = member_rows(tenant=request.api_key.tenant, after=cursor_after(cursor), limit=limit + 1)
    data, next_cursor = page_of(rows, limit=limit, pk=lambda row: row["id"])
    # A validated model: ninja sends it without validating it a second time.
    return MemberPage.model_validate({"data": data, "next_cursor": next_cursor})


@router.get("/members/{member_id}", response={200: Member, **ERRORS}, summary="Get a member")
def members_get(request: ApiRequest, member_id: int) -> Any:
    return member_out(membership_get(tenant=request.api_key.tenant, membership_id=member_id))


@router.post(
    "/members/{member_id}/role",
    response={200: Member, **ERRORS},
    summary="Change a member's role",
    auth=KeyBearer(scope=MEMBERS_MANAGE),
)
def members_change_role(request: ApiRequest, member_id: int, body: RoleChange) -> Any:
    tenant = request.api_key.tenant
    membership = membership_get(tenant=tenant, membership_id=member_id)
    role = role_get(tenant=tenant, role_id=body.role_id)
    # The key's reach is checked by the service, under the tenant's lock.
    services.membership_change_role(
        tenant=tenant,
        membership=membership,
        role=role,
        acting_user=None,
        acting_as=request.api_role,
    )
    return member_out(membership)


@router.post(
    "/members/{member_id}/remove",
    response={204: None, **ERRORS},
    summary="Remove a member",
    auth=KeyBearer(scope=MEMBERS_MANAGE),
)
def members_remove(request: ApiRequest, member_id: int) -> Any:
    tenant = request.api_key.tenant
    membership = membership_get(tenant=tenant, membership_id=member_id)
    services.membership_remove(
        tenant=tenant, membership=membership, acting_user=None, acting_as=request.api_role
    )
    return Status(204, None)


@router.get(
    "/invitations",
    response={200: InvitationPage, **ERRORS},
    summary="List invitations",
    # The members page shows pending invitations only to roles that may invite: a key
    # without the permission listed the addresses its maker's page hid.
    auth=KeyBearer(scope=MEMBERS_INVITE),
)
def invitations_list(
    request: ApiRequest, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
) -> Any:
    # Creation order, as docs/api.md says of members, teams and invitations (the
    # invitations page shows the newest first: people look for what they just sent).
    rows = InvitationRow.objects.for_tenant(request.api_key.tenant).select_related("role")
    return paginate(rows, cursor=cursor, limit=limit, serialize=invitation_out)


@router.post(
    "/invitations",
    response={201: Invitation, **ERRORS},
    summary="Invite someone by email",
    auth=KeyBearer(scope=MEMBERS_INVITE),
)
def invitations_create(request: ApiRequest, body: InvitationIn) -> Any:
    """The invitation goes out in the name of the key's creator (the email says who
    invites), allowed to grant the role: a key whose creator is no longer an active
    member never gets here (`key_pipeline` answers 401)."""
    key = request.api_key
    tenant = key.tenant
    role = role_get(tenant=tenant, role_id=body.role_id)
    teams = list(Team.objects.for_tenant(tenant).filter(pk__in=body.team_ids))
    if len(teams) != len(set(body.team_ids)):
        raise Http404("No such team.")
    assert_may_grant(actor=request.api_role, role=role)
    invitation = invitations.invitation_create(
        tenant=tenant, email=body.email, role=role, teams=teams, acting_user=key.created_by
    )
    return Status(201, invitation_out(invitation))


@router.post(
    "/invitations/{invitation_id}/resend",
    response={200: Invitation, **ERRORS},
    summary="Resend an invitation",
    auth=KeyBearer(scope=MEMBERS_INVITE),
)
def invitations_resend(request: ApiRequest, invitation_id: int) -> Any:
    """Sent again in the name of the key's creator, as `invitations_create` sends it:
    they become the inviter, so the new link does not hang on whoever sent the first
    (an inviter removed since would have made it a link that refuses at the door)."""
    key = request.api_key
    tenant = key.tenant
    invitation = invitations.invitation_get(tenant=tenant, invitation_id=invitation_id)
    assert_may_grant(actor=request.api_role, role=invitation.role)
    invitation = invitations.invitation_resend(
        tenant=tenant, invitation=invitation, acting_user=key.created_by
    )
    return invitation_out(invitation)


@router.post(
    "/invitations/{invitation_id}/cancel",
    response={200: Invitation, **ERRORS},
    summary="Cancel an invitation",
    auth=KeyBearer(scope=MEMBERS_INVITE),
)
def invitations_cancel(request: ApiRequest, invitation_id: int) -> Any:
    tenant = request.api_key.tenant
    invitation = invitations.invitation_get(tenant=tenant, invitation_id=invitation_id)
    assert_may_grant(actor=request.api_role, role=invitation.role)
    invitation = invitations.invitation_cancel(
        tenant=tenant, invitation=invitation, acting_user=None
    )
    return invitation_out(invitation)
