"""Invitation services: who may invite whom, the emailed link, resend, cancel, accept,
and the seats pending invitations hold under the plan's member cap."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from accounts.models import User
from accounts.tokens import token_digest
from billing.exceptions import PlanLimitReached
from billing.plans import plan_check_members
from core.audit_actions import audit_field_label
from core.models import AuditEvent
from tenants.exceptions import (
    AlreadyAMemberError,
    DirectoryManagedError,
    EscalationError,
    InvitationCancelledError,
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
from tenants.invitations import (
    invitation_accept,
    invitation_accept_signup,
    invitation_cancel,
    invitation_create,
    invitation_resend,
)
from tenants.models import Invitation, Membership, Role, Team, TeamMember, Tenant
from tenants.selectors import tenant_seats_taken
from tenants.services.memberships import membership_remove, membership_suspend
from tests.accounts.factories import UserFactory
from tests.accounts.mailtools import link_in
from tests.tenants.factories import add_member, make_team

pytestmark = pytest.mark.django_db


class Recorder:
    def __init__(self, signal: Any) -> None:
        self.calls: list[dict[str, Any]] = []
        self.signal = signal
        signal.connect(self, weak=False, dispatch_uid=f"test-{id(self)}")

    def __call__(self, sender: Any, **kwargs: Any) -> None:
        self.calls.append(kwargs)


@pytest.fixture
def added() -> Any:
    from tenants.signals import membership_added

    rec = Recorder(membership_added)
    yield rec
    membership_added.disconnect(dispatch_uid=f"test-{id(rec)}")


@pytest.fixture
def sent(mailoutbox: list[Any], django_capture_on_commit_callbacks: Any) -> Any:
    """Call a service and deliver the email it queued; returns the service's result."""

    def send(service: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return send


def role(tenant: Tenant, key: str = "member") -> Role:
    return Role.objects.get(tenant=tenant, key=key)


def token_of(message: Any) -> str:
    return link_in(message).rstrip("/").rsplit("/", 1)[-1]


def invite(sent: Any, acme: Any, owner: Any, email: str = "new@example.com", **kw: Any) -> Any:
    kw.setdefault("role", role(acme))
    return sent(invitation_create, tenant=acme, email=email, acting_user=owner, **kw)


# --- Creating and the email ----------------------------------------------------------


def test_an_invitation_emails_a_link_and_stores_only_its_digest(
    sent: Any, acme: Any, owner: Any, mailoutbox: list[Any], settings: Any
) -> None:
    team = make_team(acme, "Platform")
    invitation = invite(
        sent, acme, owner, "New@Example.com", role=role(acme, "admin"), teams=[team]
    )

    [message] = mailoutbox
    assert message.to == ["new@example.com"]
    assert message.subject == f"{owner.name} invited you to join Acme on Pacetrack"
    text = message.body
    assert "Acme" in text and owner.name in text and "as Admin" in text and "Platform" in text
    assert "expires on" in text
    html = message.alternatives[0][0]
    assert "Accept invitation" in html and "Admin" in html and "Pacetrack" in html
    url = settings.SITE_URL + link_in(message)
    assert url.startswith(f"{settings.SITE_URL}/invites/") and url in html
    token = token_of(message)
    invitation.refresh_from_db()
    assert invitation.email == "new@example.com"
    assert invitation.token_hash == token_digest(token) and token not in invitation.token_hash
    assert invitation.expires_at - invitation.sent_at == timedelta(days=7)
    assert list(invitation.teams.all()) == [team]
    assert invitation.status == Invitation.Status.PENDING


def test_someone_with_an_account_reads_the_role_in_their_language(
    sent: Any, acme: Any, owner: Any, mailoutbox: list[Any]
) -> None:
    UserFactory(email="greta@example.com", language="de")

    invite(sent, acme, owner, "greta@example.com", role=role(acme, "member"))

    [message] = mailoutbox
    assert "als Mitglied" in message.body  # not "als Member": the inviter reads English
    assert "Member" not in message.body


def test_personal_workspaces_cannot_invite(sent: Any, owner: Any, mailoutbox: list[Any]) -> None:
    personal = Tenant.objects.get(personal_owner=owner)
    with pytest.raises(PersonalTenantError):
        invite(sent, personal, owner, role=role(personal))
    assert mailoutbox == [] and not Invitation.objects.exists()


def test_an_existing_member_cannot_be_invited(
    sent: Any, acme: Any, owner: Any, member_of_acme: Any
) -> None:
    with pytest.raises(AlreadyAMemberError, match="already a member of Acme"):
        invite(sent, acme, owner, member_of_acme.email.upper())


def test_a_second_invitation_to_a_pending_address_is_refused_with_the_open_one(
    sent: Any, acme: Any, owner: Any, mailoutbox: list[Any]
) -> None:
    first = invite(sent, acme, owner)
    with pytest.raises(InvitationPendingError, match="Resend it instead") as exc:
        invite(sent, acme, owner, "NEW@example.com")
    assert exc.value.invitation == first
    assert len(mailoutbox) == 1


def test_the_database_allows_one_open_invitation_per_address(
    sent: Any, acme: Any, owner: Any
) -> None:
    first = invite(sent, acme, owner)
    twin = Invitation(
        tenant=acme,
        email=first.email,
        role=first.role,
        token_hash="0" * 64,
        created_at=first.created_at,
        sent_at=first.sent_at,
        expires_at=first.expires_at,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_an_expired_invitation_is_replaced_by_a_new_one(
    sent: Any, acme: Any, owner: Any, mailoutbox: list[Any]
) -> None:
    old = invite(sent, acme, owner)
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        new = invite(sent, acme, owner, role=role(acme, "admin"))
    old.refresh_from_db()
    assert old.cancelled_at is not None and new.role.key == "admin"
    assert len(mailoutbox) == 2


def test_nobody_invites_with_more_than_their_own_role(
    sent: Any, acme: Any, admin_of_acme: Any
) -> None:
    with pytest.raises(EscalationError, match="Only an owner"):
        invite(sent, acme, admin_of_acme, role=role(acme, "owner"))
    billing_only = add_member(acme, role_key="billing_admin").user
    with pytest.raises(EscalationError, match="does not allow inviting"):
        invite(sent, acme, billing_only)


def _pending(tenant: Any) -> int:
    """Invitations holding a seat (what `tenant_seats_taken` adds to the members)."""
    return Invitation.objects.for_tenant(tenant).pending().count()


@pytest.mark.usefixtures("three_seat_free_plan")
def test_pending_invitations_hold_seats_under_the_member_cap(
    sent: Any, acme: Any, owner: Any, mailoutbox: list[Any]
) -> None:
    # The free plan allows 3 members: the owner plus two pending invitations fill it.
    invite(sent, acme, owner, "a@example.com")
    invite(sent, acme, owner, "b@example.com")
    assert _pending(acme) == 2
    with pytest.raises(PlanLimitReached, match="allows up to 3 members") as exc:
        invite(sent, acme, owner, "c@example.com")
    assert exc.value.upgrade_url == "", "billing is off: no plan to buy"
    assert len(mailoutbox) == 2


def test_expired_cancelled_and_accepted_invitations_free_their_seat(
    sent: Any, acme: Any, owner: Any, mailoutbox: list[Any]
) -> None:
    a = invite(sent, acme, owner, "a@example.com")
    invite(sent, acme, owner, "b@example.com")
    invitation_cancel(tenant=acme, invitation=a, acting_user=owner)
    assert _pending(acme) == 1
    with time_machine.travel(timezone.now() + timedelta(days=7, seconds=1)):
        assert _pending(acme) == 0
        plan_check_members(tenant=acme, taken=tenant_seats_taken(tenant=acme), adding=2)


# --- Resend and cancel ---------------------------------------------------------------


def test_resend_emails_a_new_link_and_the_old_one_stops_working(
    sent: Any, acme: Any, owner: Any, mailoutbox: list[Any], user: Any
) -> None:
    invitation = invite(sent, acme, owner, user.email)
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        sent(invitation_resend, tenant=acme, invitation=invitation, acting_user=owner)
        invitation.refresh_from_db()
        assert invitation.expires_at > timezone.now() + timedelta(days=6, hours=23)
    old, new = (token_of(m) for m in mailoutbox)
    assert old != new
    with pytest.raises(InvitationInvalidError):
        invitation_accept(raw_token=old, user=user)
    assert invitation_accept(raw_token=new, user=user).role.key == "member"


def test_resend_waits_a_minute_between_emails(
    sent: Any, acme: Any, owner: Any, mailoutbox: list[Any]
) -> None:
    invitation = invite(sent, acme, owner)
    with pytest.raises(InvitationResendTooSoonError, match="less than a minute ago"):
        invitation_resend(tenant=acme, invitation=invitation, acting_user=owner)
    assert len(mailoutbox) == 1


@pytest.mark.usefixtures("three_seat_free_plan")
def test_resending_an_expired_invitation_needs_a_free_seat(
    sent: Any, acme: Any, owner: Any
) -> None:
    expired = invite(sent, acme, owner, "a@example.com")
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        invite(sent, acme, owner, "b@example.com")
        add_member(acme)  # owner + member + b: the plan's 3 seats are taken
        with pytest.raises(PlanLimitReached):
            invitation_resend(tenant=acme, invitation=expired, acting_user=owner)


def test_cancelled_and_accepted_invitations_cannot_be_resent_or_cancelled(
    sent: Any, acme: Any, owner: Any, mailoutbox: list[Any]
) -> None:
    cancelled = invite(sent, acme, owner, "a@example.com")
    invitation_cancel(tenant=acme, invitation=cancelled, acting_user=owner)
    with pytest.raises(InvitationError, match="was cancelled"):
        invitation_resend(tenant=acme, invitation=cancelled, acting_user=owner)
    accepted = invite(sent, acme, owner, "b@example.com")
    invitation_accept(raw_token=token_of(mailoutbox[-1]), user=UserFactory(email="b@example.com"))
    with pytest.raises(InvitationError, match="already accepted"):
        invitation_resend(tenant=acme, invitation=accepted, acting_user=owner)
    with pytest.raises(InvitationError, match="Remove them from the members list"):
        invitation_cancel(tenant=acme, invitation=accepted, acting_user=owner)


def test_a_cancelled_link_explains_itself(
    sent: Any, acme: Any, owner: Any, mailoutbox: list[Any]
) -> None:
    invitation = invite(sent, acme, owner)
    invitation_cancel(tenant=acme, invitation=invitation, acting_user=owner)
    newcomer = UserFactory(email="new@example.com")
    with pytest.raises(InvitationCancelledError, match="cancelled this invitation to Acme"):
        invitation_accept(raw_token=token_of(mailoutbox[0]), user=newcomer)
    assert not Membership.objects.filter(tenant=acme, user=newcomer).exists()


def test_a_link_to_a_deleted_organisation_does_not_suggest_asking_for_another(
    sent: Any, acme: Any, owner: Any, mailoutbox: list[Any], client: Any
) -> None:
    """Nobody is left in it to invite anyone: the page says it no longer exists, and not
    "Only someone in Acme who can invite people can send a new invitation"."""
    from tenants.services import tenant_delete

    invite(sent, acme, owner)
    tenant_delete(tenant=acme, acting_user=owner)

    page = client.get(link_in(mailoutbox[0]))
    html = " ".join(page.content.decode().split())
    assert page.status_code == 410
    assert "Acme no longer exists, so this invitation cannot be used." in html
    assert "can send a new invitation" not in html


def test_an_accepted_link_to_a_deleted_organisation_says_it_no_longer_exists(
    sent: Any, acme: Any, owner: Any, mailoutbox: list[Any], client: Any
) -> None:
    """A walk found the used link offering "sign in to get to" an organisation that had
    been deleted since."""
    from tenants.services import tenant_delete

    invite(sent, acme, owner)
    invitation_accept(raw_token=token_of(mailoutbox[0]), user=UserFactory(email="new@example.com"))
    tenant_delete(tenant=acme, acting_user=owner)

    html = " ".join(client.get(link_in(mailoutbox[0])).content.decode().split())

    assert "Acme no longer exists, so this invitation cannot be used." in html
    assert "already been accepted" not in html
    # Headed as what happened: "This invitation was cancelled" read as if someone had.
    assert "<h1" in html and "This invitation can no longer be used" in html
    assert "was cancelled" not in html


# --- Accepting ----------------------------------------------------------------------


def test_accepting_joins_with_the_role_and_teams_and_verifies_the_address(
    sent: Any, acme: Any, owner: Any, mailoutbox: list[Any], added: Any
) -> None:
    team = make_team(acme, "Platform")
    invite(sent, acme, owner, "new@example.com", role=role(acme, "admin"), teams=[team])
    newcomer = UserFactory(email="new@example.com", unverified=True)
    assert newcomer.email_verified_at is None

    membership = sent(invitation_accept, raw_token=token_of(mailoutbox[0]), user=newcomer)

    assert membership.role.key == "admin" and membership.tenant == acme
    assert TeamMember.objects.filter(team=team, membership=membership).exists()
    assert [c["membership"] for c in added.calls] == [membership]  # billing's seat sync
    newcomer.refresh_from_db()
    assert newcomer.email_verified_at is not None
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == newcomer and invitation.status == "accepted"
    assert _pending(acme) == 0


def test_accepting_is_logged_as_the_person_joining_invited_by_the_inviter(
    sent: Any, acme: Any, owner: Any, mailoutbox: list[Any], client: Any
) -> None:
    """The joined event named the inviter as its actor, as if they had added the person
    at that moment: the person who joined acts, the inviter is kept as "Invited by"."""
    invite(sent, acme, owner, "new@example.com")
    newcomer = UserFactory(email="new@example.com")

    sent(invitation_accept, raw_token=token_of(mailoutbox[0]), user=newcomer)

    joined = AuditEvent.objects.for_tenant(acme).get(
        action="member.joined", target_label=newcomer.email
    )
    assert joined.actor == newcomer
    assert joined.after == {"role": "Member", "invited_by": owner.email}
    client.force_login(owner)
    page = " ".join(client.get(f"/t/{acme.slug}/audit/").content.decode().split())
    assert f'Invited by</span>: <span translate="no">{owner.email}</span>' in page
    with translation.override("de"):
        assert audit_field_label("invited_by") == "Eingeladen von"


def test_a_team_the_directory_syncs_cannot_be_invited_into(
    sent: Any, acme: Any, owner: Any, mailoutbox: list[Any]
) -> None:
    synced = make_team(acme, "Synced")
    Team.objects.filter(pk=synced.pk).update(directory_managed=True)
    synced.refresh_from_db()

    with pytest.raises(DirectoryManagedError, match="synced from your identity provider"):
        invite(sent, acme, owner, "new@example.com", teams=[synced])

    assert not Invitation.objects.exists() and mailoutbox == []


def test_a_team_the_directory_took_over_since_does_not_keep_the_invitee_out(
    sent: Any, acme: Any, owner: Any, mailoutbox: list[Any]
) -> None:
    """Accepting failed with the directory's refusal, which the invitee cannot act on."""
    platform, taken_over = make_team(acme, "Platform"), make_team(acme, "Synced later")
    invite(sent, acme, owner, "new@example.com", teams=[platform, taken_over])
    Team.objects.filter(pk=taken_over.pk).update(directory_managed=True)

    membership = sent(
        invitation_accept,
        raw_token=token_of(mailoutbox[0]),
        user=UserFactory(email="new@example.com"),
    )

    teams = set(
        TeamMember.objects.filter(membership=membership).values_list("team__name", flat=True)
    )
    assert teams == {"Platform"}, "the directory fills its own team"


def test_signing_up_through_an_invitation_creates_a_verified_account_in_the_org(
    sent: Any, acme: Any, owner: Any, mailoutbox: list[Any]
) -> None:
    invite(sent, acme, owner, "new@example.com")
    membership = invitation_accept_signup(
        raw_token=token_of(mailoutbox[0]), name="Ada", password="an-analytical-engine"
    )
    user = membership.user
    assert user.email == "new@example.com" and user.email_verified_at is not None
    assert user.check_password("an-analytical-engine")
    assert Tenant.objects.filter(personal_owner=user).exists()  # a normal account otherwise


def test_an_invitation_works_once(sent: Any, acme: Any, owner: Any, mailoutbox: list[Any]) -> None:
    invite(sent, acme, owner, "new@example.com")
    newcomer = UserFactory(email="new@example.com")
    token = token_of(mailoutbox[0])
    invitation_accept(raw_token=token, user=newcomer)
    with pytest.raises(InvitationUsedError, match="already been accepted"):
        invitation_accept(raw_token=token, user=newcomer)
    assert Membership.objects.filter(tenant=acme, user=newcomer).count() == 1


def test_an_invitation_expires_after_seven_days(
    sent: Any, acme: Any, owner: Any, mailoutbox: list[Any]
) -> None:
    invite(sent, acme, owner, "new@example.com")
    newcomer = UserFactory(email="new@example.com")
    token = token_of(mailoutbox[0])
    later = time_machine.travel(timezone.now() + timedelta(days=7, seconds=1))
    with later, pytest.raises(InvitationExpiredError, match=re.escape(f"ask {owner.name}")):
        invitation_accept(raw_token=token, user=newcomer)
    with time_machine.travel(timezone.now() + timedelta(days=6, hours=23)):
        assert invitation_accept(raw_token=token, user=newcomer).tenant == acme


def test_only_the_invited_address_can_accept(
    sent: Any, acme: Any, owner: Any, mailoutbox: list[Any], other_user: Any
) -> None:
    invite(sent, acme, owner, "new@example.com")
    with pytest.raises(InvitationEmailMismatchError, match="for new@example.com"):
        invitation_accept(raw_token=token_of(mailoutbox[0]), user=other_user)
    assert not Membership.objects.filter(tenant=acme, user=other_user).exists()
    assert Invitation.objects.get().status == "pending"


@pytest.mark.parametrize("token", ["", "x" * 101, "not-a-token"])
def test_unknown_tokens_are_invalid(user: Any, token: str) -> None:
    with pytest.raises(InvitationInvalidError):
        invitation_accept(raw_token=token, user=user)


def test_an_inviter_who_lost_the_right_to_invite_can_no_longer_let_people_in(
    sent: Any, acme: Any, owner: Any, admin_of_acme: Any, mailoutbox: list[Any]
) -> None:
    invite(sent, acme, admin_of_acme, "new@example.com", role=role(acme, "admin"))
    Membership.objects.filter(tenant=acme, user=admin_of_acme).update(role=role(acme))
    newcomer = UserFactory(email="new@example.com")
    with pytest.raises(InvitationRevokedError, match="can no longer invite"):
        invitation_accept(raw_token=token_of(mailoutbox[0]), user=newcomer)


def test_an_inviter_the_directory_suspended_can_no_longer_let_people_in(
    sent: Any, acme: Any, owner: Any, admin_of_acme: Any, mailoutbox: list[Any]
) -> None:
    """The attack: a leaving admin invites their own other address, is deprovisioned
    (SCIM active:false), then accepts from that address and is back in."""
    invite(sent, acme, admin_of_acme, "elsewhere@example.com", role=role(acme, "admin"))
    membership_suspend(
        tenant=acme,
        membership=Membership.objects.get(tenant=acme, user=admin_of_acme),
        acting_user=None,
    )
    elsewhere = UserFactory(email="elsewhere@example.com")

    with pytest.raises(InvitationRevokedError, match="can no longer invite"):
        invitation_accept(raw_token=token_of(mailoutbox[0]), user=elsewhere)
    assert not Membership.objects.filter(tenant=acme, user=elsewhere).exists()


def test_an_inviter_whose_account_was_deactivated_can_no_longer_let_people_in(
    sent: Any, acme: Any, owner: Any, admin_of_acme: Any, mailoutbox: list[Any]
) -> None:
    invite(sent, acme, admin_of_acme, "elsewhere@example.com")
    User.objects.filter(pk=admin_of_acme.pk).update(is_active=False)
    elsewhere = UserFactory(email="elsewhere@example.com")

    with pytest.raises(InvitationRevokedError, match="can no longer invite"):
        invitation_accept(raw_token=token_of(mailoutbox[0]), user=elsewhere)
    assert not Membership.objects.filter(tenant=acme, user=elsewhere).exists()


def test_an_inviter_removed_and_added_back_does_not_revive_what_they_sent_before(
    sent: Any, acme: Any, owner: Any, admin_of_acme: Any, mailoutbox: list[Any]
) -> None:
    """Only the membership an invitation was sent under counts, as for an API key: the
    admin's link from before their removal stays dead; one sent since works."""
    invite(sent, acme, admin_of_acme, "before@example.com")
    admin = Membership.objects.get(tenant=acme, user=admin_of_acme)
    membership_remove(tenant=acme, membership=admin, acting_user=owner)
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        add_member(acme, admin_of_acme, "admin")
        invite(sent, acme, admin_of_acme, "since@example.com")
        before, since = (token_of(message) for message in mailoutbox)

        with pytest.raises(InvitationRevokedError, match="can no longer invite"):
            invitation_accept(raw_token=before, user=UserFactory(email="before@example.com"))
        joined = invitation_accept(raw_token=since, user=UserFactory(email="since@example.com"))
    assert joined.tenant == acme


@pytest.mark.usefixtures("three_seat_free_plan")
def test_a_full_org_refuses_the_join_until_a_seat_is_free(
    sent: Any, acme: Any, owner: Any, mailoutbox: list[Any]
) -> None:
    invite(sent, acme, owner, "new@example.com")
    add_member(acme)
    add_member(acme)  # members added another way since: 3 of 3 seats
    newcomer = UserFactory(email="new@example.com")
    with pytest.raises(InvitationSeatsFullError, match="member limit"):
        invitation_accept(raw_token=token_of(mailoutbox[0]), user=newcomer)


@pytest.mark.usefixtures("three_seat_free_plan")
def test_a_member_the_directory_suspended_holds_no_seat_at_the_join(
    sent: Any, acme: Any, owner: Any, mailoutbox: list[Any]
) -> None:
    """The review found the join counting every membership while the invite form (and
    every other seat rule, `seat_holders`) leaves suspended ones out: the owner, one
    member and one suspended member let the invitation be sent, then refused it."""
    add_member(acme)
    suspended = add_member(acme)
    assert membership_suspend(tenant=acme, membership=suspended, acting_user=None)
    invite(sent, acme, owner, "new@example.com")  # 2 seats held + this invitation: 3 of 3
    newcomer = UserFactory(email="new@example.com")

    joined = invitation_accept(raw_token=token_of(mailoutbox[0]), user=newcomer)

    assert joined.user == newcomer and joined.tenant == acme


def test_someone_who_joined_meanwhile_just_closes_the_invitation(
    sent: Any, acme: Any, owner: Any, mailoutbox: list[Any]
) -> None:
    invite(sent, acme, owner, "new@example.com")
    newcomer = UserFactory(email="new@example.com")
    existing = add_member(acme, newcomer)
    assert invitation_accept(raw_token=token_of(mailoutbox[0]), user=newcomer) == existing
    assert Invitation.objects.get().status == "accepted"


def test_a_deleted_org_s_invitations_cannot_be_used(
    sent: Any, acme: Any, owner: Any, mailoutbox: list[Any]
) -> None:
    invite(sent, acme, owner, "new@example.com")
    Tenant.objects.filter(pk=acme.pk).update(deleted_at=timezone.now())
    with pytest.raises(InvitationCancelledError, match="no longer exists"):
        invitation_accept(
            raw_token=token_of(mailoutbox[0]), user=UserFactory(email="new@example.com")
        )
