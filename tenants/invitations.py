"""Invitations to an org: create, resend, cancel and accept (services), and the
reads the pages need (selectors).

An invitation is emailed as `/invites/<token>/`. Only the token's SHA-256 is kept
(the helpers in accounts/tokens.py), so a database dump opens no workspace, and a
resend replaces the digest so the previous link stops working. Open (pending)
invitations hold a seat under the plan's member cap: `tenant_seats_taken` counts
them for `plan_check_members`.

Accepting goes through `membership_create` with the inviter as `invited_by`, so the
grant is checked against what the inviter may still do today, and billing's seat sync
hears about the new member as for any other. The audit log's "Member joined" names the
person who joined as its actor, and the inviter as "Invited by".
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from accounts.mail import email_enqueue
from accounts.mail_delivery import absolute_url
from accounts.models import User, normalize_email
from accounts.services import user_signup
from accounts.tokens import token_digest, token_generate, token_matches
from billing.backends import billing_enabled
from billing.plans import plan_check_members, plan_limit
from core.audit import audit_record
from core.i18n import said_later
from core.members import members_who_can_act, seat_holders
from core.paging import page_with_totals
from core.permissions import MEMBERS_INVITE
from core.templatetags.times import relative_time
from tenants.audit import TenantAction
from tenants.exceptions import (
    AlreadyAMemberError,
    EscalationError,
    InvitationCancelledError,
    InvitationDeclinedError,
    InvitationEmailMismatchError,
    InvitationError,
    InvitationExpiredError,
    InvitationInvalidError,
    InvitationPendingError,
    InvitationResendTooSoonError,
    InvitationRevokedError,
    InvitationSeatsFullError,
    InvitationUsedError,
    PersonalTenantError,
)
from tenants.models import Invitation, Membership, Role, Team, Tenant
from tenants.selectors import tenant_seats_taken
from tenants.services._common import (
    acting_role,
    assert_in_tenant,
    assert_may_grant,
    assert_role_still_there,
    lock_tenant,
)
from tenants.services.memberships import membership_create
from tenants.services.teams import team_directory_refusal, team_member_add
from webhooks.events import event_emit

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

logger = logging.getLogger("tenants.invitations")

LIFETIME = timedelta(days=7)
RESEND_COOLDOWN = timedelta(seconds=60)
EMAIL_TEMPLATE = "tenants/email/invitation"


# --- Selectors --------------------------------------------------------------------


def invitation_page_open(*, tenant: Tenant, number: str | None, per_page: int) -> Page:
    """A page of the open invitations (pending and expired), newest first, with role,
    inviter and teams loaded, and their total: two queries whatever their number. An
    organisation on an unlimited plan may have hundreds open; the members page shows
    them a page at a time (core/paging.py)."""
    queryset = (
        Invitation.objects.for_tenant(tenant)
        .open()
        .select_related("role", "invited_by")
        .prefetch_related(Prefetch("teams", queryset=Team.objects.order_by("name")))
        .order_by("-sent_at", "-pk")
    )
    page, _ = page_with_totals(queryset, number=number, per_page=per_page)
    return page


def invitation_get(*, tenant: Tenant, invitation_id: int) -> Invitation:
    """An invitation of this tenant, or 404 (also for another tenant's invitation)."""
    return get_object_or_404(
        Invitation.objects.for_tenant(tenant).select_related("tenant", "role", "invited_by"),
        pk=invitation_id,
    )


def invitation_teams(*, invitation: Invitation) -> list[Team]:
    """The teams the invitation puts its guest in, by name."""
    return list(invitation.teams.order_by("name"))


def invitation_account_exists(*, invitation: Invitation) -> bool:
    """Whether the invited address already has an account (sign in, not sign up)."""
    return User.objects.filter(email=invitation.email).exists()


def invitation_already_member(*, invitation: Invitation, user: User | AnonymousUser) -> bool:
    """Whether the signed-in visitor already belongs to the inviting workspace."""
    return (
        user.is_authenticated
        and Membership.objects.for_tenant(invitation.tenant).filter(user=user).exists()
    )


def invitations_waiting_for(*, user: User) -> list[Invitation]:
    """Open invitations to this person's address, for someone who signed up or in
    without the emailed link. Only once the address is verified: accepting one of these
    skips the link that would have proved it."""
    if user.email_verified_at is None:
        return []
    return list(
        Invitation.objects.pending()
        .filter(email=normalize_email(user.email), tenant__deleted_at__isnull=True)
        .exclude(tenant__memberships__user=user)
        .select_related("tenant", "role", "invited_by")
        .order_by("sent_at", "pk")
    )


def invitation_for_token(*, raw: str, lock: bool = False) -> Invitation:
    """The invitation a link's token belongs to, whatever its state, or
    InvitationInvalidError. With `lock`, the row stays locked until the transaction ends
    so two clicks cannot both accept it."""
    if not raw or len(raw) > 100:
        raise InvitationInvalidError(str(_INVALID))
    digest = token_digest(raw)
    rows: QuerySet[Invitation] = Invitation.objects.select_related("tenant", "role", "invited_by")
    if lock:
        rows = rows.select_for_update(of=("self",))
    try:
        invitation = rows.get(token_hash=digest)
    except Invitation.DoesNotExist:
        raise InvitationInvalidError(str(_INVALID)) from None
    if not token_matches(raw, invitation.token_hash):
        raise InvitationInvalidError(str(_INVALID))
    return invitation


_INVALID = gettext_lazy(
    "This invitation link is not valid. It may have been mistyped, or replaced by a newer "
    "invitation: check for a more recent email, or ask for a new invitation."
)


def invitation_assert_usable(invitation: Invitation) -> None:
    """Raise the InvitationLinkError that explains why this link cannot be used, if any."""
    tenant = invitation.tenant
    inviter = _inviter_name(invitation)
    if tenant.is_deleted:  # first: an accepted link would offer to sign in to it
        raise InvitationCancelledError(
            _("%(name)s no longer exists, so this invitation cannot be used.")
            % {"name": tenant.name}
        )
    if invitation.accepted_at is not None:
        raise InvitationUsedError(
            _(
                "This invitation to %(name)s has already been accepted. Each invitation "
                "link works once."
            )
            % {"name": tenant.name}
        )
    if invitation.declined_at is not None:
        raise InvitationDeclinedError(
            _(
                "This invitation to %(name)s was declined. If that was a mistake, ask "
                "%(inviter)s to invite you again."
            )
            % {"inviter": inviter, "name": tenant.name}
        )
    if invitation.cancelled_at is not None:
        raise InvitationCancelledError(
            _("%(inviter)s cancelled this invitation to %(name)s.")
            % {"inviter": inviter, "name": tenant.name}
        )
    if invitation.expires_at <= timezone.now():
        raise InvitationExpiredError(
            _(
                "This invitation to %(name)s expired on %(date)s. Invitations are valid "
                "for %(days)s days: ask %(inviter)s to send it again."
            )
            % {
                "name": tenant.name,
                # A date format: the month's name and the day, in the language's order.
                "date": date_format(invitation.expires_at, pgettext("month and day", "F j")),
                "days": LIFETIME.days,
                "inviter": inviter,
            }
        )


# --- Services ----------------------------------------------------------------------


def already_a_member(*, tenant: Tenant, email: str) -> AlreadyAMemberError | None:
    """Why `email` (normalised) cannot be invited: they are a member already, or one the
    identity provider deactivated, whom only it can bring back (SCIM `active: true`)."""
    membership = (
        Membership.objects.for_tenant(tenant).filter(user__email=email).only("suspended_at").first()
    )
    if membership is None:
        return None
    values = {"email": email, "name": tenant.name}
    if membership.suspended_at is not None:
        return AlreadyAMemberError(
            _(
                "%(email)s is a member of %(name)s whom your identity provider deactivated: "
                "reactivate them there."
            )
            % values
        )
    return AlreadyAMemberError(_("%(email)s is already a member of %(name)s.") % values)


@transaction.atomic
def invitation_create(
    *,
    tenant: Tenant,
    email: str,
    role: Role,
    teams: Iterable[Team] = (),
    acting_user: User | None,
) -> Invitation:
    """Invite `email` into an org with `role` (and teams) and email them the link.

    Refused for personal tenants, existing members, an address with a pending
    invitation (InvitationPendingError carries it, to offer a resend), a role the
    inviter may not grant, a team synced from the directory, and when members plus
    pending invitations reach the cap.
    """
    teams = list(teams)
    email = normalize_email(email)
    assert_in_tenant(tenant, role, *teams)
    if tenant.is_personal:
        raise PersonalTenantError(
            _(
                "Personal workspaces cannot have other members. Create an organisation to "
                "invite people."
            )
        )
    lock_tenant(tenant)  # one cap check at a time per tenant
    assert_role_still_there(role)
    _assert_may_invite(tenant=tenant, acting_user=acting_user, role=role)
    for team in teams:  # a directory's team is filled by the directory alone
        if (refusal := team_directory_refusal(team=team)) is not None:
            raise refusal
    if (member := already_a_member(tenant=tenant, email=email)) is not None:
        raise member
    now = timezone.now()
    for open_invite in Invitation.objects.for_tenant(tenant).open().filter(email=email):
        if open_invite.expires_at > now:
            raise InvitationPendingError(
                _("%(email)s already has a pending invitation (sent %(date)s). Resend it instead.")
                % {
                    "email": email,
                    # In the words the open invitations' table uses for it.
                    "date": relative_time(open_invite.sent_at),
                },
                invitation=open_invite,
            )
        # An expired invitation is replaced by the new one (new role, teams, link).
        open_invite.cancelled_at = now
        open_invite.save(update_fields=["cancelled_at"])
    plan_check_members(
        tenant=tenant, taken=tenant_seats_taken(tenant=tenant), adding=1, acting_user=acting_user
    )
    raw, digest = token_generate()
    invitation = Invitation(
        tenant=tenant,
        email=email,
        role=role,
        invited_by=acting_user,
        token_hash=digest,
        created_at=now,
        sent_at=now,
        expires_at=now + LIFETIME,
    )
    invitation.full_clean()
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:  # the same address invited at the same instant elsewhere
        raise InvitationError(
            _("%(email)s was invited a moment ago. Refresh the page.") % {"email": email}
        ) from None
    invitation.teams.set(teams, through_defaults={"tenant": tenant})
    audit_record(
        tenant=tenant,
        action=TenantAction.MEMBER_INVITED,
        acting_user=acting_user,
        target=invitation,
        target_label=email,
        after={"role": role.name, "teams": [t.name for t in teams]},
    )
    event_emit(tenant_id=tenant.pk, type="invitation.created", data=_event_data(invitation))
    _send(invitation, raw, teams=teams)
    return invitation


@transaction.atomic
def invitation_resend(
    *, tenant: Tenant, invitation: Invitation, acting_user: User | None
) -> Invitation:
    """Email a new link (valid seven days from now); the previous link stops working.

    Only someone who could have sent it may resend it; they become the inviter, so the
    grant is theirs from now on."""
    assert_in_tenant(tenant, invitation)
    lock_tenant(tenant)
    # Locked as a decline or an acceptance locks it: one of them waits for the other.
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("tenant", "role")
        .get(pk=invitation.pk)
    )
    if invitation.accepted_at is not None:
        raise InvitationError(
            _("%(email)s already accepted this invitation.") % {"email": invitation.email}
        )
    if invitation.declined_at is not None:  # a decline also sets cancelled_at
        raise InvitationError(
            _("%(email)s declined this invitation. Invite them again if they changed their mind.")
            % {"email": invitation.email}
        )
    if invitation.cancelled_at is not None:
        raise InvitationError(_("This invitation was cancelled. Invite the person again instead."))
    _assert_may_invite(tenant=tenant, acting_user=acting_user, role=invitation.role)
    now = timezone.now()
    wait = RESEND_COOLDOWN - (now - invitation.sent_at)
    if wait > timedelta(0):
        raise InvitationResendTooSoonError(
            _(
                "The invitation to %(email)s was sent less than a minute ago. Give it "
                "a moment to arrive (and check the spam folder) before sending it again."
            )
            % {"email": invitation.email},
            retry_after=math.ceil(wait.total_seconds()),
        )
    if invitation.expires_at <= now:
        # Expired invitations do not hold a seat; reviving one takes a seat again.
        plan_check_members(
            tenant=tenant,
            taken=tenant_seats_taken(tenant=tenant),
            adding=1,
            acting_user=acting_user,
        )
    raw, invitation.token_hash = token_generate()
    invitation.sent_at = now
    invitation.expires_at = now + LIFETIME
    if acting_user is not None:
        invitation.invited_by = acting_user
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at", "invited_by"])
    audit_record(
        tenant=tenant,
        action=TenantAction.INVITATION_RESENT,
        acting_user=acting_user,
        target=invitation,
        target_label=invitation.email,
        after={"expires_at": invitation.expires_at.isoformat()},
    )
    _send(invitation, raw, teams=invitation_teams(invitation=invitation))
    return invitation


@transaction.atomic
def invitation_cancel(
    *, tenant: Tenant, invitation: Invitation, acting_user: User | None
) -> Invitation:
    """Withdraw an open invitation: its link shows "cancelled" and the seat is freed.

    Only someone who could have sent it may withdraw it: an admin does not undo an
    owner's invitation to a role beyond the admin's own."""
    assert_in_tenant(tenant, invitation)
    invitation = Invitation.objects.select_for_update().select_related("role").get(pk=invitation.pk)
    _assert_may_invite(tenant=tenant, acting_user=acting_user, role=invitation.role)
    if invitation.accepted_at is not None:
        raise InvitationError(
            _("%(email)s already accepted. Remove them from the members list instead.")
            % {"email": invitation.email}
        )
    if invitation.cancelled_at is None:
        invitation.cancelled_at = timezone.now()
        invitation.save(update_fields=["cancelled_at"])
        audit_record(
            tenant=tenant,
            action=TenantAction.INVITATION_CANCELLED,
            acting_user=acting_user,
            target=invitation,
            target_label=invitation.email,
            before={"role": invitation.role.name},
        )
        event_emit(tenant_id=tenant.pk, type="invitation.cancelled", data=_event_data(invitation))
    return invitation


@transaction.atomic
def invitation_decline(*, raw_token: str, user: User | None) -> Invitation:
    """The person invited says no: the link stops working, the seat it held is freed
    and the members page stops listing it as waiting (its admins read "Invitation
    declined" in the audit log). Whoever holds the link may, as whoever holds it may
    make the account that accepts; signed in (`user`), only as the invited address.
    A link that cannot be used any more (accepted, cancelled, expired) says why."""
    invitation = invitation_for_token(raw=raw_token, lock=True)
    invitation_assert_usable(invitation)
    if user is not None and user.email != invitation.email:
        raise InvitationEmailMismatchError(
            _("This invitation is for %(email)s.") % {"email": invitation.email}
        )
    return _decline(invitation, user=user)


@transaction.atomic
def invitation_decline_waiting(*, invitation_id: int, user: User) -> Invitation:
    """`invitation_decline` for one listed on the workspaces page, as
    `invitation_accept_waiting` joins: only for the verified address it was sent to."""
    invitation = _waiting_for(invitation_id=invitation_id, user=user)
    invitation_assert_usable(invitation)
    return _decline(invitation, user=user)


def _decline(invitation: Invitation, *, user: User | None) -> Invitation:
    """`user`: the invitee signed in, named in the audit log (else it shows no one)."""
    invitation.cancelled_at = invitation.declined_at = timezone.now()
    invitation.save(update_fields=["cancelled_at", "declined_at"])
    audit_record(
        tenant=invitation.tenant,
        action=TenantAction.INVITATION_DECLINED,
        acting_user=user,
        target=invitation,
        target_label=invitation.email,
        before={"role": invitation.role.name},
    )
    event_emit(
        tenant_id=invitation.tenant_id, type="invitation.declined", data=_event_data(invitation)
    )
    return invitation


@transaction.atomic
def invitation_accept(*, raw_token: str, user: User) -> Membership:
    """The signed-in `user` accepts: they join with the invited role and teams.

    Their address must be the invited one. Opening the emailed link proves they own
    it, so the address is marked verified as well."""
    invitation = invitation_for_token(raw=raw_token, lock=True)
    invitation_assert_usable(invitation)
    if normalize_email(user.email) != invitation.email:
        raise InvitationEmailMismatchError(
            _("This invitation is for %(invited)s, but you are signed in as %(current)s.")
            % {"invited": invitation.email, "current": user.email}
        )
    return _join(invitation, user)


@transaction.atomic
def invitation_accept_waiting(*, invitation_id: int, user: User) -> Membership:
    """The signed-in `user` accepts an invitation listed for them on their workspaces
    page (`invitations_waiting_for`): the same join as by the link, for an address
    already verified, since no link proves it here."""
    invitation = _waiting_for(invitation_id=invitation_id, user=user)
    invitation_assert_usable(invitation)
    return _join(invitation, user)


def _waiting_for(*, invitation_id: int, user: User) -> Invitation:
    """The invitation `invitation_id`, locked, if it was sent to `user`'s verified address."""
    rows = Invitation.objects.select_related("tenant", "role", "invited_by")
    invitation = rows.select_for_update(of=("self",)).filter(pk=invitation_id).first()
    # Someone else's (ids are guessable): as if it did not exist, naming nobody.
    mine = invitation is not None and invitation.email == normalize_email(user.email)
    if invitation is None or not mine or user.email_verified_at is None:
        raise InvitationInvalidError(_("This invitation does not exist, or it is not for you."))
    return invitation


@transaction.atomic
def invitation_accept_signup(
    *, raw_token: str, name: str, password: str, language: str = "", time_zone: str = "UTC"
) -> Membership:
    """Create the account for the invited address and join, all or nothing. The
    address is verified: the person opened the link emailed to it. `language` and
    `time_zone` are the sign-up page's guesses (see `user_signup`)."""
    invitation = invitation_for_token(raw=raw_token, lock=True)
    invitation_assert_usable(invitation)
    user = user_signup(
        email=invitation.email,
        password=password,
        name=name,
        language=language,
        time_zone=time_zone,
    )
    return _join(invitation, user)


# --- Internals ---------------------------------------------------------------------


def _assert_may_invite(*, tenant: Tenant, acting_user: User | None, role: Role) -> None:
    actor = acting_role(tenant=tenant, acting_user=acting_user)
    if actor is not None and not actor.has_permission(MEMBERS_INVITE):
        raise EscalationError(_("Your role does not allow inviting people."))
    assert_may_grant(actor=actor, role=role)


def invitation_inviter_refusal(*, invitation: Invitation) -> InvitationRevokedError | None:
    """Why the inviter can no longer let this person in, else None. An invitation is
    only as good as its inviter's rights today: someone removed, demoted, suspended by
    the directory or deactivated since sending it cannot let people in (or grant more
    than they now hold): a leaving admin's invitation to their own other address would
    outlive their deprovisioning. Only the membership they sent it under counts (it
    began before `sent_at`), as for an API key: an admin removed and added back later
    did not revive the links they had sent. The link's pages ask at the door; joining
    asks again."""
    revoked = InvitationRevokedError(
        _(
            "This invitation to %(name)s can no longer be used because %(inviter)s can no "
            "longer invite people with the %(role)s role. Ask an admin of %(name)s for a new "
            "invitation."
        )
        % {
            "name": invitation.tenant.name,
            "inviter": _inviter_name(invitation),
            "role": invitation.role.label,
        }
    )
    inviter = invitation.invited_by
    if inviter is None:
        return revoked
    role = Role.objects.filter(
        members_who_can_act("memberships__"),
        tenant=invitation.tenant,
        memberships__user=inviter,
        memberships__joined_at__lte=invitation.sent_at,
    ).first()
    if role is None or not role.has_permission(MEMBERS_INVITE):
        return revoked
    try:
        assert_may_grant(actor=role, role=invitation.role)
    except EscalationError:
        return revoked
    return None


def invitation_seat_refusal(*, invitation: Invitation) -> InvitationSeatsFullError | None:
    """Why joining would be refused for want of a seat, else None. The link's pages ask
    before the person types a name and a password; joining asks again. Seats are held
    as everywhere (`seat_holders`: a membership the directory suspended holds none);
    this invitation's own pending seat is the one joining takes, so it is not counted."""
    tenant = invitation.tenant
    limit = plan_limit(tenant=tenant, limit="max_members")
    if limit is None:
        return None
    if Membership.objects.for_tenant(tenant).filter(seat_holders()).count() < limit:
        return None
    message = (
        _(
            "%(name)s has reached the member limit of its plan since this invitation "
            "was sent. Ask %(inviter)s to free a seat or upgrade, then open this link "
            "again."
        )
        if billing_enabled()
        else _(  # nothing to buy
            "%(name)s has reached the member limit of its plan since this invitation "
            "was sent. Ask %(inviter)s to free a seat, then open this link again."
        )
    )
    return InvitationSeatsFullError(
        message % {"name": tenant.name, "inviter": _inviter_name(invitation)}
    )


def _join(invitation: Invitation, user: User) -> Membership:
    tenant = invitation.tenant
    now = timezone.now()
    existing = Membership.objects.for_tenant(tenant).filter(user=user).first()
    if existing is None:
        if (revoked := invitation_inviter_refusal(invitation=invitation)) is not None:
            raise revoked
        if (refusal := invitation_seat_refusal(invitation=invitation)) is not None:
            raise refusal
        membership = membership_create(
            tenant=tenant,
            user=user,
            role=invitation.role,
            acting_user=user,
            invited_by=invitation.invited_by,
        )
        # A team the directory took over since the invitation was sent is its to fill:
        # skipped, rather than refusing the person at the door.
        for team in invitation.teams.select_related("tenant").filter(directory_managed=False):
            team_member_add(
                tenant=tenant, team=team, membership=membership, acting_user=invitation.invited_by
            )
    else:
        # Joined some other way meanwhile: the invitation is fulfilled, nothing to change.
        membership = existing
    invitation.accepted_at = now
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    event_emit(
        tenant_id=tenant.pk,
        type="invitation.accepted",
        data={**_event_data(invitation), "member_id": membership.pk},
    )
    if user.email_verified_at is None:
        user.email_verified_at = now
        user.save(update_fields=["email_verified_at"])
    logger.info("User %s accepted invitation %s to tenant %s", user.pk, invitation.pk, tenant.pk)
    return membership


def _event_data(invitation: Invitation) -> dict[str, Any]:
    """An invitation as webhook payloads describe it (docs/webhooks.md)."""
    role = invitation.role
    return {
        "invitation_id": invitation.pk,
        "email": invitation.email,
        "role": {"id": role.pk, "name": role.name},
    }


def _inviter_name(invitation: Invitation) -> str:
    inviter = invitation.invited_by
    return inviter.get_full_name() if inviter is not None else _("the person who invited you")


def _send(invitation: Invitation, raw: str, *, teams: list[Team]) -> None:
    tenant = invitation.tenant
    inviter = invitation.invited_by
    email_enqueue(
        to=invitation.email,
        template=EMAIL_TEMPLATE,
        context={
            "email": invitation.email,
            "tenant_name": tenant.name,
            "role_name": said_later(lambda: invitation.role.label),  # the invitee's language
            "team_names": [team.name for team in teams],
            "inviter_name": inviter.get_full_name() if inviter is not None else tenant.name,
            "inviter_email": inviter.email if inviter is not None else "",
            "expires_at": invitation.expires_at,
            "url": absolute_url("invites:accept", raw),
        },
    )


def invitations_purge(*, older_than: timedelta) -> int:
    """Delete invitations accepted, cancelled or expired longer than `older_than` ago;
    returns how many. Their link then reads as unknown instead of expired, and the
    audit log keeps its own record of each."""
    cutoff = timezone.now() - older_than
    stale = Invitation.objects.filter(
        Q(accepted_at__lt=cutoff) | Q(cancelled_at__lt=cutoff) | Q(expires_at__lt=cutoff)
    )
    deleted = 0
    while ids := list(stale.order_by("pk").values_list("pk", flat=True)[:500]):
        Invitation.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
    return deleted
