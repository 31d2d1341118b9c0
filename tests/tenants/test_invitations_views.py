"""Invitation pages, driven as people would: the members-page panel (plain posts and
htmx) and every path through the emailed link, with the link taken from the outbox."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
import time_machine
from django.db import connection, reset_queries
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import EmailDelivery, User
from core.htmx import toasts_of
from tenants.exceptions import AlreadyAMemberError
from tenants.invitations import invitation_create
from tenants.models import Invitation, Membership, Role, Team, TeamMember, Tenant
from tenants.services import membership_suspend
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.accounts.mailtools import link_in
from tests.tenants.factories import OrgFactory, add_member, make_team

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def invite(
    owner_client: Any, acme: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> Any:
    """Invite through the members page as acme's owner; returns the link path."""

    def send(email: str = "new@example.com", role_key: str = "member", **extra: Any) -> str:
        role = Role.objects.get(tenant=acme, key=role_key)
        with django_capture_on_commit_callbacks(execute=True):
            response = owner_client.post(
                f"/t/{acme.slug}/members/invites/", {"email": email, "role": role.pk, **extra}
            )
        assert response.status_code == 302, response.content.decode()
        return link_in(mailoutbox[-1])

    return send


@pytest.fixture
def visitor() -> Any:
    """A second browser: the invited person (the `client` fixture is the owner's)."""
    return Client()


def members_url(tenant: Tenant) -> str:
    return f"/t/{tenant.slug}/members/"


# --- The panel on the members page --------------------------------------------------------


def test_owners_see_the_invite_form_and_pending_invitations(
    owner_client: Any, acme: Any, invite: Any
) -> None:
    invite("pending@example.com", "admin")
    html = owner_client.get(members_url(acme)).content.decode()
    assert 'data-testid="invite-form"' in html
    assert "pending@example.com" in html and "Resend" in html and "Cancel" in html
    assert 'data-testid="pending-count">1<' in html


@pytest.mark.parametrize(
    ("language", "optional"), [("en", "optional"), ("de", "optional"), ("ar", "اختياري")]
)
def test_the_teams_choice_says_optional_once(
    owner_client: Any, owner: Any, acme: Any, language: str, optional: str
) -> None:
    """ "Teams (optional)" over "Optional: they join these teams when they accept."."""
    make_team(acme, "Design")
    type(owner).objects.filter(pk=owner.pk).update(language=language)

    html = owner_client.get(members_url(acme)).content.decode()

    fieldset = html.split('data-testid="invite-form"', 1)[1].split("<fieldset", 1)[1]
    said = re.sub(r"<[^>]+>", " ", fieldset.split('id="invite-teams"', 1)[0])
    assert said.lower().count(optional) == 1, said


def test_the_count_is_of_open_invitations_expired_ones_included(
    owner_client: Any, acme: Any, invite: Any
) -> None:
    """Expired ones stay listed to be resent, so the heading says "open", not "pending"."""
    invite("pending@example.com")
    invite("late@example.com")
    Invitation.objects.filter(email="late@example.com").update(expires_at=timezone.now())
    html = " ".join(owner_client.get(members_url(acme)).content.decode().split())
    count = '<span class="badge badge-gray ms-1" data-testid="pending-count">2<'
    assert f"Invitations not yet accepted {count}" in html
    assert "Pending invitations" not in html


def test_plain_members_see_no_invite_form_and_no_invited_addresses(
    visitor: Any, acme: Any, member_of_acme: Any, invite: Any
) -> None:
    invite("pending@example.com")
    visitor.force_login(member_of_acme)
    html = visitor.get(members_url(acme)).content.decode()
    assert 'data-testid="invite-form"' not in html and "pending@example.com" not in html


def test_personal_workspaces_have_no_invite_form(client: Any, owner: Any) -> None:
    client.force_login(owner)
    personal = Tenant.objects.get(personal_owner=owner)
    html = client.get(members_url(personal), follow=True).content.decode()
    assert "invite-form" not in html and "it has no members, teams or roles" in html


def test_inviting_by_plain_post_redirects_with_a_message_and_sends_the_email(
    owner_client: Any, acme: Any, invite: Any, mailoutbox: list[Any]
) -> None:
    invite("New@Example.com")
    page = owner_client.get(members_url(acme)).content.decode()
    assert "Invitation sent to new@example.com" in page
    assert mailoutbox[0].to == ["new@example.com"]


def test_inviting_with_htmx_swaps_the_panel(
    owner_client: Any,
    acme: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    member = Role.objects.get(tenant=acme, key="member")
    team = make_team(acme, "Platform")
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            f"/t/{acme.slug}/members/invites/",
            {"email": "new@example.com", "role": member.pk, "teams": [team.pk]},
            **HTMX,
        )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'id="invite-panel"' in html and "Invitation sent to" not in html
    assert toasts_of(response) == [
        {
            "level": "success",
            "message": "Invitation sent to new@example.com. The link is valid for 7 days.",
        }
    ]
    assert "Teams: Platform" in html
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Enter the email address of the person to invite."),
        ("not-an-email", "Enter a valid email address."),
    ],
)
def test_bad_addresses_are_explained_beside_the_field(
    owner_client: Any, acme: Any, email: str, message: str
) -> None:
    member = Role.objects.get(tenant=acme, key="member")
    response = owner_client.post(
        f"/t/{acme.slug}/members/invites/", {"email": email, "role": member.pk}
    )
    html = response.content.decode()
    assert response.status_code == 200 and message in html and "members-table" in html
    assert not Invitation.objects.exists()


def test_inviting_an_existing_member_is_refused(
    owner_client: Any, acme: Any, member_of_acme: Any
) -> None:
    member = Role.objects.get(tenant=acme, key="member")
    response = owner_client.post(
        f"/t/{acme.slug}/members/invites/",
        {"email": member_of_acme.email, "role": member.pk},
        **HTMX,
    )
    assert f"{member_of_acme.email} is already a member of Acme." in response.content.decode()
    assert not Invitation.objects.exists()


def test_inviting_a_pending_address_offers_a_resend(
    owner_client: Any, acme: Any, invite: Any, mailoutbox: list[Any]
) -> None:
    invite("new@example.com")
    invitation = Invitation.objects.get()
    member = Role.objects.get(tenant=acme, key="member")
    response = owner_client.post(
        f"/t/{acme.slug}/members/invites/", {"email": "new@example.com", "role": member.pk}, **HTMX
    )
    html = response.content.decode()
    # "sent" in the words the table beside it uses, not a date of another format.
    assert "new@example.com already has a pending invitation (sent just now)." in html
    assert f"/members/invites/{invitation.pk}/resend/" in html
    assert "Resend the invitation to new@example.com" in html
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("de", "(gesendet: gerade eben)"),  # was "gesendet am gerade eben"
        ("ar", "(أُرسلت: "),
    ],
)
def test_the_pending_invitations_time_reads_as_a_sentence_in_every_language(
    owner_client: Any, owner: Any, acme: Any, invite: Any, language: str, said: str
) -> None:
    invite("new@example.com")
    owner.language = language
    owner.save(update_fields=["language"])
    member = Role.objects.get(tenant=acme, key="member")

    response = owner_client.post(
        f"/t/{acme.slug}/members/invites/", {"email": "new@example.com", "role": member.pk}, **HTMX
    )

    assert said in response.content.decode()


def test_the_role_list_holds_only_roles_the_inviter_may_grant(
    client: Any, acme: Any, admin_of_acme: Any
) -> None:
    client.force_login(admin_of_acme)
    html = client.get(members_url(acme)).content.decode()
    start = html.index('data-testid="invite-form"')
    form = html[start : html.index("</form>", start)]
    assert ">Admin<" in form and ">Member<" in form and ">Owner<" not in form
    owner_role = Role.objects.get(tenant=acme, key="owner")
    response = client.post(
        f"/t/{acme.slug}/members/invites/",
        {"email": "new@example.com", "role": owner_role.pk},
        **HTMX,
    )
    assert "Choose one of the roles you are allowed to grant." in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.usefixtures("three_seat_free_plan", "billing_on")
def test_a_full_plan_explains_the_cap_and_links_to_billing(
    owner_client: Any, acme: Any, invite: Any
) -> None:
    invite("a@example.com")
    invite("b@example.com")  # the free plan's 3 seats: owner + 2 pending invitations
    member = Role.objects.get(tenant=acme, key="member")
    response = owner_client.post(
        f"/t/{acme.slug}/members/invites/", {"email": "c@example.com", "role": member.pk}, **HTMX
    )
    html = response.content.decode()
    assert "allows up to 3 members" in html and "members and pending invitations" in html
    assert "Upgrade your plan to add more people." in html
    assert f'href="/t/{acme.slug}/billing/"' in html and "See plans and upgrade" in html
    assert Invitation.objects.count() == 2


@pytest.mark.usefixtures("three_seat_free_plan", "billing_on")
def test_an_admin_who_cannot_upgrade_is_told_whom_to_ask_and_gets_no_billing_link(
    acme: Any, admin_of_acme: Any, invite: Any
) -> None:
    """The walk: an admin was told "Upgrade your plan" with a link to the billing page,
    which refused them (403)."""
    invite("a@example.com")  # owner + admin + 1 pending invitation: the 3 seats
    client = Client()
    client.force_login(admin_of_acme)
    member = Role.objects.get(tenant=acme, key="member")

    response = client.post(
        f"/t/{acme.slug}/members/invites/", {"email": "c@example.com", "role": member.pk}, **HTMX
    )

    html = response.content.decode()
    assert "To add more people, ask an owner or billing admin to upgrade." in html
    assert "Upgrade your plan" not in html and "See plans and upgrade" not in html
    assert f'href="/t/{acme.slug}/billing/"' not in html
    assert client.get(f"/t/{acme.slug}/billing/").status_code == 403  # why no link


@pytest.mark.usefixtures("three_seat_free_plan")
def test_without_billing_a_full_plan_says_how_to_make_room_and_offers_no_upgrade(
    owner_client: Any, acme: Any, invite: Any
) -> None:
    invite("a@example.com")
    invite("b@example.com")
    member = Role.objects.get(tenant=acme, key="member")
    response = owner_client.post(
        f"/t/{acme.slug}/members/invites/", {"email": "c@example.com", "role": member.pk}, **HTMX
    )
    html = response.content.decode()
    assert "allows up to 3 members" in html
    assert "To add someone, remove a member or cancel a pending invitation." in html
    # The billing page would only say that billing is not set up.
    assert "See plans and upgrade" not in html and "Upgrade your plan" not in html
    assert Invitation.objects.count() == 2


def test_the_invite_form_offers_no_team_the_directory_syncs(owner_client: Any, acme: Any) -> None:
    make_team(acme, "Platform")
    synced = make_team(acme, "Synced")
    Team.objects.filter(pk=synced.pk).update(directory_managed=True)

    html = owner_client.get(members_url(acme)).content.decode()
    panel = html.split('id="invite-panel"', 1)[1].split("</section>", 1)[0]
    assert "Platform" in panel and "Synced" not in panel

    member = Role.objects.get(tenant=acme, key="member")
    response = owner_client.post(
        f"/t/{acme.slug}/members/invites/",
        {"email": "new@example.com", "role": member.pk, "teams": [synced.pk]},
        **HTMX,
    )
    assert "Choose teams of this workspace." in response.content.decode()
    assert not Invitation.objects.exists()


def test_resend_from_the_page_sends_a_new_link_and_kills_the_old_one(
    owner_client: Any,
    acme: Any,
    invite: Any,
    visitor: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    old_link = invite("new@example.com")
    invitation = Invitation.objects.get()
    with (
        time_machine.travel(timezone.now() + timedelta(minutes=5)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = owner_client.post(
            f"/t/{acme.slug}/members/invites/{invitation.pk}/resend/", **HTMX
        )
    assert "A new invitation link was sent to new@example.com" in toasts_of(response)[-1]["message"]
    new_link = link_in(mailoutbox[-1])
    assert new_link != old_link and len(mailoutbox) == 2
    dead = visitor.get(old_link)
    assert dead.status_code == 404 and "This invitation link isn" in dead.content.decode()
    assert visitor.get(new_link).status_code == 200


def test_resending_at_once_is_refused_with_a_reason(
    owner_client: Any, acme: Any, invite: Any, mailoutbox: list[Any]
) -> None:
    invite()
    invitation = Invitation.objects.get()
    page = owner_client.post(f"/t/{acme.slug}/members/invites/{invitation.pk}/resend/", follow=True)
    assert "less than a minute ago" in page.content.decode() and len(mailoutbox) == 1


def test_cancelling_frees_the_seat_and_the_link_says_cancelled(
    owner_client: Any, acme: Any, invite: Any, visitor: Any
) -> None:
    link = invite("new@example.com")
    invitation = Invitation.objects.get()
    page = owner_client.post(f"/t/{acme.slug}/members/invites/{invitation.pk}/cancel/", follow=True)
    html = page.content.decode()
    assert "The invitation to new@example.com was cancelled" in html
    assert 'data-testid="pending-count">0<' in html
    response = visitor.get(link)
    assert response.status_code == 410
    assert "This invitation was cancelled" in response.content.decode()


@pytest.mark.parametrize("action", ["", "1/resend/", "1/cancel/"])
def test_inviting_needs_the_members_invite_permission(
    visitor: Any, acme: Any, member_of_acme: Any, invite: Any, action: str
) -> None:
    invite()
    invitation = Invitation.objects.get()
    visitor.force_login(member_of_acme)
    url = f"/t/{acme.slug}/members/invites/" + action.replace("1", str(invitation.pk))
    response = visitor.post(url, {"email": "x@example.com"})
    assert response.status_code == 403
    assert Invitation.objects.get().status == "pending" and Invitation.objects.count() == 1


@pytest.mark.parametrize("action", ["resend", "cancel"])
def test_another_tenants_invitation_is_a_404(
    visitor: Any, acme: Any, invite: Any, action: str
) -> None:
    invite()
    invitation = Invitation.objects.get()
    attacker = UserFactory()
    own = OrgFactory(owner=attacker)
    visitor.force_login(attacker)
    response = visitor.post(f"/t/{own.slug}/members/invites/{invitation.pk}/{action}/")
    assert response.status_code == 404
    assert Invitation.objects.get().status == "pending"


def test_the_members_page_costs_the_same_with_many_invitations(
    owner_client: Any, acme: Any, invite: Any, settings: Any, django_assert_max_num_queries: Any
) -> None:
    plans = {k: dict(v) for k, v in settings.BILLING_PLANS.items()}
    plans["free"]["max_members"] = None
    settings.BILLING_PLANS = plans
    team = make_team(acme, "Platform")
    invite("first@example.com", teams=[team.pk])
    reset_queries()  # the test client resets the log per request; start the slice at 0
    with CaptureQueriesContext(connection) as one:
        owner_client.get(members_url(acme))
    baseline = len(one)  # read now: later requests reset the log it slices
    assert baseline > 0
    for i in range(15):
        invite(f"more{i}@example.com", teams=[team.pk])
    with django_assert_max_num_queries(baseline):
        html = owner_client.get(members_url(acme)).content.decode()
    assert len(re.findall(r'<tr id="invite-\d+">', html)) == 16


# --- The link: each way in --------------------------------------------------------------


def test_signed_in_with_the_invited_address_confirms_and_joins(
    visitor: Any, acme: Any, invite: Any
) -> None:
    team = make_team(acme, "Platform")
    link = invite("new@example.com", "admin", teams=[team.pk])
    newcomer = UserFactory(email="new@example.com")
    visitor.force_login(newcomer)

    page = visitor.get(link)
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="invite-confirm"' in html
    assert "Accept and join Acme" in html and "Admin" in html and "Platform" in html
    assert page["Referrer-Policy"] == "same-origin"
    assert not Membership.objects.filter(tenant=acme, user=newcomer).exists()  # GET: no join

    response = visitor.post(link, follow=True)
    assert response.redirect_chain[0][0] == f"/t/{acme.slug}/"
    assert "Welcome to Acme! You joined as Admin." in response.content.decode()
    membership = Membership.objects.get(tenant=acme, user=newcomer)
    assert membership.role.key == "admin"
    assert TeamMember.objects.filter(team=team, membership=membership).exists()


def test_signed_out_new_person_signs_up_with_the_locked_address_and_joins(
    visitor: Any, acme: Any, invite: Any, mailoutbox: list[Any]
) -> None:
    link = invite("new@example.com", "admin")
    landing = visitor.get(link).content.decode()
    assert 'data-testid="invite-signed-out"' in landing and "Create account and join" in landing
    sign_up = f"{link}sign-up/"
    form = visitor.get(sign_up).content.decode()
    assert 'value="new@example.com"' in form and "disabled" in form

    response = visitor.post(
        sign_up,
        # A browser could post any address: the server keeps the invited one.
        {"name": "Ada Lovelace", "email": "attacker@example.com", "password": "analytical-42!"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/t/{acme.slug}/"
    assert "Welcome to Acme! You joined as Admin." in response.content.decode()
    assert not User.objects.filter(email="attacker@example.com").exists()
    user = User.objects.get(email="new@example.com")
    assert user.email_verified_at is not None and user.name == "Ada Lovelace"
    assert Membership.objects.get(tenant=acme, user=user).role.key == "admin"
    assert response.context["user"] == user  # signed in
    # No verification email: opening the invitation proved the address.
    queued = {d.template for d in EmailDelivery.objects.all() if "new@example.com" in d.to}
    assert queued == {"tenants/email/invitation"} and len(mailoutbox) == 1


def test_an_invited_person_gets_the_browsers_time_zone_and_language(
    visitor: Any, invite: Any
) -> None:
    link = invite("new@example.com", "member")
    visitor.post(
        f"{link}sign-up/",
        {"name": "Greta", "password": "analytical-42!", "time_zone": "Europe/Vienna"},
        HTTP_ACCEPT_LANGUAGE="de-AT",
    )
    greta = User.objects.get(email="new@example.com")
    assert (greta.language, greta.time_zone) == ("de", "Europe/Vienna")


def test_sign_up_errors_re_render_the_form(visitor: Any, invite: Any) -> None:
    link = invite("new@example.com")
    response = visitor.post(f"{link}sign-up/", {"name": "Ada", "password": "short"})
    html = response.content.decode()
    assert response.status_code == 200 and "This password is too short" in html
    assert 'value="new@example.com"' in html
    assert not User.objects.filter(email="new@example.com").exists()


def test_signed_out_existing_user_signs_in_and_comes_back_to_join(
    visitor: Any, acme: Any, invite: Any
) -> None:
    newcomer = UserFactory(email="new@example.com")
    link = invite("new@example.com")
    landing = visitor.get(link).content.decode()
    sign_in = f"/auth/sign-in/?next={quote(link, safe='')}&email=new%40example.com"
    assert "Sign in to accept" in landing and sign_in.replace("&", "&amp;") in landing
    # The sign-up path points existing accounts to sign-in instead.
    redirect = visitor.get(f"{link}sign-up/")
    assert redirect.status_code == 302 and redirect["Location"] == sign_in
    # The sign-in page has the invited address filled in (nobody retypes it).
    form = visitor.get(sign_in).content.decode()
    assert 'name="email" value="new@example.com"' in form

    signed_in = visitor.post(
        "/auth/sign-in/", {"email": newcomer.email, "password": DEFAULT_PASSWORD, "next": link}
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == link
    assert "Accept and join Acme" in visitor.get(link).content.decode()
    visitor.post(link)
    assert Membership.objects.get(tenant=acme, user=newcomer).role.key == "member"


def test_signed_in_with_another_address_gets_a_clear_page_and_a_way_to_switch(
    visitor: Any, acme: Any, invite: Any, other_user: Any
) -> None:
    link = invite("new@example.com")
    visitor.force_login(other_user)
    page = visitor.get(link)
    html = page.content.decode()
    assert page.status_code == 403
    assert "This invitation is for <strong>new@example.com</strong>" in html
    assert f"signed in as <strong>{other_user.email}</strong>" in html
    refused = visitor.post(link)
    assert refused.status_code == 403
    assert not Membership.objects.filter(tenant=acme, user=other_user).exists()

    switched = visitor.post(f"{link}switch-account/")
    assert switched.status_code == 302 and switched["Location"] == link
    assert 'data-testid="invite-signed-out"' in visitor.get(link).content.decode()


def test_accepting_twice_shows_that_it_was_already_accepted(
    visitor: Any, acme: Any, invite: Any
) -> None:
    link = invite("new@example.com")
    visitor.force_login(UserFactory(email="new@example.com"))
    visitor.post(link)
    again = visitor.post(link)
    html = again.content.decode()
    assert again.status_code == 410 and "This invitation was already accepted" in html
    assert f'href="/t/{acme.slug}/"' in html  # a member: straight to the workspace
    assert Membership.objects.filter(tenant=acme, user__email="new@example.com").count() == 1


def test_an_expired_link_gets_its_own_page(visitor: Any, acme: Any, invite: Any) -> None:
    link = invite("new@example.com")
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        response = visitor.get(link)
        sign_up = visitor.post(f"{link}sign-up/", {"name": "Ada", "password": "analytical-42!"})
    assert (
        response.status_code == 410 and "This invitation has expired" in response.content.decode()
    )
    assert sign_up.status_code == 410 and not User.objects.filter(email="new@example.com").exists()


def test_a_made_up_link_gets_a_clear_page_not_a_bare_404(client: Any) -> None:
    response = client.get("/invites/not-a-real-token/")
    html = response.content.decode()
    assert response.status_code == 404 and "This invitation link isn" in html
    assert "mistyped" in html


def _invited_by(
    visitor: Any, inviter: Any, tenant: Any, email: str, role_key: str, mailoutbox: list[Any]
) -> str:
    """`inviter` invites `email` from the members page; the emailed link (a path)."""
    visitor.force_login(inviter)
    role = Role.objects.get(tenant=tenant, key=role_key)
    with TestCase.captureOnCommitCallbacks(execute=True):
        visitor.post(f"/t/{tenant.slug}/members/invites/", {"email": email, "role": role.pk})
    return link_in(mailoutbox[-1])


def test_an_inviter_removed_since_sending_makes_the_link_explain_itself(
    visitor: Any,
    acme: Any,
    owner: Any,
    admin_of_acme: Any,
    invite: Any,
    mailoutbox: list[Any],
) -> None:
    link = _invited_by(visitor, admin_of_acme, acme, "new@example.com", "member", mailoutbox)
    Membership.objects.filter(tenant=acme, user=admin_of_acme).delete()
    visitor.force_login(UserFactory(email="new@example.com"))
    response = visitor.post(link)
    assert (
        response.status_code == 410 and "can no longer invite people" in response.content.decode()
    )


def test_an_inviter_suspended_since_sending_is_said_at_the_door_and_lets_nobody_in(
    visitor: Any,
    acme: Any,
    owner: Any,
    admin_of_acme: Any,
    mailoutbox: list[Any],
) -> None:
    """The attack: a leaving admin invites their own other address, the directory
    suspends them, and they accept from that address, back in as an admin. The link's
    pages said nothing until a name and a password were typed."""
    link = _invited_by(visitor, admin_of_acme, acme, "elsewhere@example.com", "admin", mailoutbox)
    Membership.objects.filter(tenant=acme, user=admin_of_acme).update(suspended_at=timezone.now())
    visitor.logout()

    landing = visitor.get(link)
    sign_up = visitor.get(link.rstrip("/") + "/sign-up/")
    joined = visitor.post(
        link.rstrip("/") + "/sign-up/",
        {"name": "Elsewhere", "password": "a-long-enough-passphrase-2026"},
    )

    for response in (landing, sign_up, joined):
        page = response.content.decode()
        assert response.status_code == 410, page
        assert "can no longer invite people" in page and 'name="password"' not in page
    assert not Membership.objects.filter(tenant=acme, user__email="elsewhere@example.com").exists()


@pytest.mark.usefixtures("three_seat_free_plan")
def test_a_full_org_at_accept_time_says_so(visitor: Any, acme: Any, invite: Any) -> None:
    link = invite("new@example.com")
    add_member(acme)
    add_member(acme)
    visitor.force_login(UserFactory(email="new@example.com"))
    response = visitor.post(link)
    page = response.content.decode()
    assert response.status_code == 409 and "member limit" in page
    assert "to free a seat, then open this link again" in page, "billing is off: no upgrade"


@pytest.mark.usefixtures("three_seat_free_plan")
def test_a_full_org_says_so_before_the_invitee_fills_in_the_sign_up_form(
    visitor: Any, acme: Any, invite: Any
) -> None:
    """The landing page said "Create your account… it takes a few seconds"; only after
    a name and a password were typed did it say the workspace was full."""
    link = invite("new@example.com")
    add_member(acme)
    last = add_member(acme)

    landing = visitor.get(link)
    sign_up = visitor.get(link.rstrip("/") + "/sign-up/")

    for response in (landing, sign_up):
        page = response.content.decode()
        assert response.status_code == 409, page
        assert "Acme is full" in page and 'name="password"' not in page
    last.delete()  # once a seat is free, the same link works again
    assert visitor.get(link).status_code == 200


def test_past_a_dozen_teams_the_invite_form_boxes_them(owner_client: Any, acme: Any) -> None:
    from tenants.forms_invitations import INVITE_TEAMS_UNBOXED

    for i in range(INVITE_TEAMS_UNBOXED):
        make_team(acme, f"Team {i:02}")
    html = owner_client.get(f"/t/{acme.slug}/members/").content.decode()
    assert html.count('name="teams"') == INVITE_TEAMS_UNBOXED
    assert 'data-testid="invite-teams-box"' not in html
    assert "data-filter=" not in html

    make_team(acme, "One more")
    html = owner_client.get(f"/t/{acme.slug}/members/").content.decode()
    assert html.count('name="teams"') == INVITE_TEAMS_UNBOXED + 1  # all still offered
    assert 'data-testid="invite-teams-box"' in html
    # A box to type in, for the script to show: without it every team is still listed.
    assert 'data-filter="#invite-teams"' in html and "Find a team" in html


def test_a_refused_invitation_keeps_the_teams_ticked(owner_client: Any, acme: Any) -> None:
    platform, design = make_team(acme, "Platform"), make_team(acme, "Design")
    make_team(acme, "Sales")
    member = Role.objects.get(tenant=acme, key="member")

    response = owner_client.post(
        f"/t/{acme.slug}/members/invites/",
        {"email": "not an address", "role": member.pk, "teams": [platform.pk, design.pk]},
        **HTMX,
    )
    ticked = re.findall(
        r'<input type="checkbox" name="teams" value="(\d+)"[^>]* checked', response.content.decode()
    )
    assert sorted(ticked) == sorted([str(platform.pk), str(design.pk)])
    assert not Invitation.objects.exists()

    response = owner_client.post(
        f"/t/{acme.slug}/members/invites/",
        {"email": "new@example.com", "role": member.pk, "teams": ["999999"]},
        **HTMX,
    )
    html = response.content.decode()
    assert "Choose teams of this workspace." in html
    assert html.count('name="teams"') == 3 == html.count('aria-invalid="true"')


def test_the_members_page_renders_as_many_templates_whatever_the_number_of_teams(
    owner_client: Any, acme: Any
) -> None:
    """Each team's checkbox is written by the panel's own loop, not by the widget's
    option template rendered once per team (0.25 s a page at a thousand teams)."""
    make_team(acme, "Platform")
    owner_client.get(f"/t/{acme.slug}/members/")  # the header, kept per process from now on
    few = owner_client.get(f"/t/{acme.slug}/members/")
    Team.objects.bulk_create([Team(tenant=acme, name=f"Team {i:03}") for i in range(200)])
    many = owner_client.get(f"/t/{acme.slug}/members/")
    assert many.content.decode().count('name="teams"') == 201
    assert len(many.templates) == len(few.templates)


def test_inviting_someone_the_directory_deactivated_says_where_to_bring_them_back(
    owner_client: Any, acme: Any
) -> None:
    gone = add_member(acme, UserFactory(email="gone@example.com"))
    membership_suspend(tenant=acme, membership=gone, acting_user=None)
    member = Role.objects.get(tenant=acme, key="member")

    response = owner_client.post(
        f"/t/{acme.slug}/members/invites/",
        {"email": "Gone@Example.com", "role": member.pk},
        **HTMX,
    )
    html = response.content.decode()
    assert "gone@example.com is a member of Acme whom your identity provider" in html
    assert "deactivated: reactivate them there." in html
    assert not Invitation.objects.exists()
    with pytest.raises(AlreadyAMemberError, match="reactivate them there"):
        invitation_create(tenant=acme, email="gone@example.com", role=member, acting_user=None)


def test_the_invite_forms_example_address_is_in_the_readers_language(
    owner_client: Any, owner: Any, acme: Any
) -> None:
    owner.language = "de"
    owner.save(update_fields=["language"])

    page = owner_client.get(f"/t/{acme.slug}/members/").content.decode()

    assert 'placeholder="name@firma.de"' in page
