"""The workspace overview: what each role sees on arrival, the setup checklist and its
dismissal (with and without htmx), and a query count that does not grow."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import User
from billing.models import Account
from core.audit import audit_actor_label
from tenants import services
from tenants.invitations import invitation_create
from tenants.models import Membership, Role, TeamMember, Tenant
from tests.accounts.factories import UserFactory
from tests.tenants.factories import OrgFactory, add_member, make_role, make_team
from uploads.selectors import upload_storage_used
from uploads.services import upload_create

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def overview(client: Client, tenant: Tenant) -> str:
    response = client.get(f"/t/{tenant.slug}/")
    assert response.status_code == 200
    return response.content.decode()


def text(html: str) -> str:
    """What a reader sees: the page without tags, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace(" :", ":")


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(tenant: Tenant, user: Any, name: str = "notes.txt", size: int = 2048) -> Any:
    return upload_create(
        tenant=tenant,
        uploaded_by=user,
        file=SimpleUploadedFile(name, b"x" * size, content_type="text/plain"),
        extension="txt",
        content_type="text/plain",
    )


@pytest.fixture
def billing_on(settings: Any) -> Any:
    """Paid plans purchasable through the local provider (demo mode)."""
    settings.BILLING_BACKEND = "billing.backends.local.LocalBillingBackend"
    plans = copy.deepcopy(settings.BILLING_PLANS)
    plans["pro"]["price_id"] = "price_pro_test"
    settings.BILLING_PLANS = plans
    return settings


# --- What each role sees ---------------------------------------------------------


def test_the_owner_sees_activity_members_teams_files_plan_usage_and_the_checklist(
    owner_client: Any, owner: Any, acme: Any, member_of_acme: Any
) -> None:
    make_team(acme, "Platform")
    upload(acme, owner, "roadmap.txt", size=3 * 1024 * 1024)

    html = overview(owner_client, acme)

    assert "Recent activity" in html and "Your recent activity" not in html
    assert f'href="/t/{acme.slug}/audit/"' in html
    assert "Team created: Platform" in text(html) and f'href="/t/{acme.slug}/teams/"' in html
    assert "File uploaded: roadmap.txt" in text(html)
    assert 'data-testid="member-count">2<' in html and 'data-testid="team-count">1<' in html
    assert "roadmap.txt" in html and f'href="/t/{acme.slug}/files/' in html
    assert 'data-testid="plan">Free<' in html
    assert "2 of 5" in html, "members against the Free plan's cap"
    assert "3.0\xa0MB of 100\xa0MB" in html, "storage against the Free plan's cap"
    assert 'data-testid="setup-checklist"' in html
    assert 'data-testid="step-logo"' in html and "Add a logo" in html


def test_a_member_sees_the_workspace_but_not_its_audit_log_usage_or_checklist(
    client: Any, owner: Any, acme: Any, member_of_acme: Any
) -> None:
    make_team(acme, "Platform")
    upload(acme, owner, "roadmap.txt")
    client.force_login(member_of_acme)

    html = overview(client, acme)

    assert 'data-testid="member-count">2<' in html and "Platform" in html
    assert "roadmap.txt" in html and 'data-testid="plan">Free<' in html
    assert 'data-testid="usage"' not in html
    assert "/audit/" not in html and "Team created" not in html
    assert 'data-testid="activity"' not in html, "nothing of their own to show"
    assert 'data-testid="setup-checklist"' not in html, "their email is confirmed"
    assert "Invite people" not in html


def test_without_the_audit_log_people_see_their_own_activity_only(
    client: Any, owner: Any, acme: Any
) -> None:
    filer = add_member(acme, role=make_role(acme, "Filer", ["files.manage"])).user
    make_team(acme, "Platform")  # the owner's doing (the system's, here)
    upload(acme, filer, "minutes.txt")
    upload(acme, owner, "owner-only-plan.txt")
    client.force_login(filer)

    html = overview(client, acme)

    assert "Your recent activity" in html
    assert "You · File uploaded: minutes.txt" in text(html)
    assert "File uploaded: owner-only-plan.txt" not in text(html)
    assert "Team created" not in html
    assert "Storage" in html, "people who upload see the storage limit"


def test_what_an_api_key_did_names_the_key_as_the_audit_log_does(
    client: Any, owner: Any, acme: Any
) -> None:
    """A walk found "System · Team created: API Team" here while the audit log said
    "API key CLI test"."""
    with audit_actor_label("API key CLI test"):
        services.team_create(tenant=acme, name="API Team", acting_user=None)
    client.force_login(owner)

    html = overview(client, acme)

    assert "API key CLI test · Team created: API Team" in text(html)
    assert "System · Team created" not in text(html)


def test_an_admin_sees_usage_and_the_steps_they_can_take_but_not_the_plan_step(
    client: Any, acme: Any, admin_of_acme: Any, billing_on: Any
) -> None:
    client.force_login(admin_of_acme)

    html = overview(client, acme)

    assert 'data-testid="usage"' in html and "Members" in html
    assert 'data-testid="step-invite"' in html and 'data-testid="step-logo"' in html
    assert 'data-testid="step-plan"' not in html, "admins do not manage billing"
    assert f'href="/t/{acme.slug}/billing/"' not in html


def test_the_checklist_follows_what_is_done(
    owner_client: Any, owner: Any, acme: Any, billing_on: Any
) -> None:
    html = overview(owner_client, acme)
    assert "1 of 4 steps done" in html, "their email is confirmed"
    assert 'data-testid="step-plan"' in html and "Compare plans" in html

    add_member(acme)
    Tenant.objects.filter(pk=acme.pk).update(logo=f"tenant-{acme.pk}/logo.png")
    html = overview(owner_client, acme)
    assert "3 of 4 steps done" in html

    Account.objects.filter(pk=acme.account_id).update(
        plan="pro", stripe_subscription_id="sub_test", status=Account.Status.ACTIVE
    )
    html = overview(owner_client, acme)
    assert 'data-testid="setup-checklist"' not in html, "every step done: nothing to show"
    assert 'data-testid="plan">Pro<' in html


def test_an_unconfirmed_address_is_a_step_with_a_resend_button(owner: Any) -> None:
    newcomer = UserFactory(unverified=True)
    acme = OrgFactory(owner=owner, name="Acme")
    add_member(acme, newcomer)

    html = overview(signed_in(newcomer), acme)

    assert 'data-testid="step-email"' in html
    assert 'action="/auth/verify-email/resend/"' in html and "Resend the email" in html
    assert f'name="next" value="/t/{acme.slug}/"' in html


def test_the_personal_workspace_overview_is_for_one_person(auth_client: Any, user: Any) -> None:
    personal = Tenant.objects.get(personal_owner=user)
    upload(personal, user, "cv.txt")

    html = overview(auth_client, personal)

    assert "cv.txt" in html and "Storage" in html
    assert 'data-testid="members-card"' not in html and 'data-testid="teams-card"' not in html
    assert "Create an organisation" in html
    usage = text(html.split('data-testid="usage"', 1)[1].split("</ul>", 1)[0])
    assert "Storage" in usage and "Members" not in usage, "no member cap for one person"


def test_the_storage_shown_is_the_total_the_storage_cap_is_checked_against(
    owner_client: Any, owner: Any, acme: Any
) -> None:
    upload(acme, owner, "a.txt", size=700 * 1024)
    upload(acme, owner, "b.txt", size=800 * 1024)

    html = overview(owner_client, acme)

    used = upload_storage_used(tenant=acme)
    assert used == 1500 * 1024
    assert "1.5\xa0MB of 100\xa0MB" in html


@pytest.mark.usefixtures("three_seat_free_plan", "billing_on")
def test_a_full_member_cap_tells_billing_managers_to_upgrade(
    owner_client: Any, acme: Any, admin_of_acme: Any
) -> None:
    add_member(acme)  # 3 of 3

    assert "Limit reached. Upgrade to add more." in text(overview(owner_client, acme))
    shown_to_admin = text(overview(signed_in(admin_of_acme), acme))
    assert "Limit reached." in shown_to_admin and "Upgrade" not in shown_to_admin


@pytest.mark.usefixtures("three_seat_free_plan")
def test_without_billing_a_full_member_cap_offers_no_upgrade(
    owner_client: Any, acme: Any, admin_of_acme: Any
) -> None:
    add_member(acme)  # 3 of 3: the Free plan's cap applies, but nothing can be bought

    shown = text(overview(owner_client, acme))

    assert "3 of 3" in shown and "Limit reached." in shown
    assert "Upgrade to add more" not in shown


# --- Dismissing the checklist ----------------------------------------------------


def test_dismissing_the_checklist_without_javascript(
    owner_client: Any, owner: Any, acme: Any
) -> None:
    assert 'data-testid="setup-checklist"' in overview(owner_client, acme)

    response = owner_client.post(f"/t/{acme.slug}/checklist/dismiss/")

    assert response.status_code == 302 and response["Location"] == f"/t/{acme.slug}/"
    html = owner_client.get(response["Location"]).content.decode()
    assert "Setup checklist hidden." in html
    assert 'data-testid="setup-checklist"' not in html
    assert 'data-testid="setup-checklist"' not in overview(owner_client, acme)


def test_dismissing_the_checklist_with_htmx_swaps_in_a_notice(owner_client: Any, acme: Any) -> None:
    response = owner_client.post(f"/t/{acme.slug}/checklist/dismiss/", **HTMX)

    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert 'id="setup-checklist"' in body and 'role="status"' in body
    assert "Setup checklist hidden." in body
    assert 'data-testid="setup-checklist"' not in overview(owner_client, acme)


def test_dismissal_is_per_person_and_per_workspace(owner: Any, acme: Any) -> None:
    second_owner = add_member(acme, role_key="owner").user
    beta = OrgFactory(owner=owner, name="Beta")
    owner_client = signed_in(owner)

    owner_client.post(f"/t/{acme.slug}/checklist/dismiss/")

    assert 'data-testid="setup-checklist"' not in overview(owner_client, acme)
    assert 'data-testid="setup-checklist"' in overview(owner_client, beta)
    assert 'data-testid="setup-checklist"' in overview(signed_in(second_owner), acme)
    from_another_browser = signed_in(owner)
    assert 'data-testid="setup-checklist"' not in overview(from_another_browser, acme)


def test_dismissing_needs_a_post_by_a_member(owner_client: Any, acme: Any, other_user: Any) -> None:
    assert owner_client.get(f"/t/{acme.slug}/checklist/dismiss/").status_code == 405
    outsider = signed_in(other_user)
    assert outsider.post(f"/t/{acme.slug}/checklist/dismiss/").status_code == 404
    assert Membership.objects.filter(checklist_dismissed_at__isnull=False).count() == 0


# --- Queries ---------------------------------------------------------------------


def _grow(org: Tenant, owner: Any, n: int) -> None:
    """n more members (in bulk: their audit rows do not change the reads counted here),
    teams with members, files and audit events."""
    role = Role.objects.get(tenant=org, key="member")
    users = User.objects.bulk_create(
        [User(email=f"grow{org.pk}-{i}@example.com", name=f"Grown {i}") for i in range(n)]
    )
    members = Membership.objects.bulk_create(
        [Membership(user=u, tenant=org, role=role) for u in users]
    )
    teams = [make_team(org, f"Team {i}") for i in range(8)]
    TeamMember.objects.bulk_create(
        [TeamMember(team=teams[i % 8], membership=m) for i, m in enumerate(members)]
    )
    for i in range(8):
        upload(org, users[i], f"file-{i}.txt")
    services.tenant_rename(tenant=org, name=f"{org.name} grown", acting_user=owner)


def test_the_overview_reads_a_fixed_handful_of_queries(
    owner_client: Any, owner: Any, acme: Any, django_assert_max_num_queries: Any
) -> None:
    owner_client.get(f"/t/{acme.slug}/")  # the visit is recorded on the first request
    small = OrgFactory(owner=owner, name="Small")
    make_team(small, "Only team")
    upload(small, owner, "only-file.txt")
    owner_client.get(f"/t/{small.slug}/")
    # Session and user, membership, counts, members, teams, files, activity, switcher.
    with django_assert_max_num_queries(8) as captured:
        html = overview(owner_client, small)
    baseline = len(captured)  # now: the next request clears the connection's query log
    assert 'data-testid="setup-checklist"' in html

    _grow(acme, owner, 60)
    owner_client.get(f"/t/{acme.slug}/")
    with django_assert_max_num_queries(baseline):
        html = overview(owner_client, acme)

    assert 'data-testid="member-count">61<' in html and "+56" in html
    assert (
        len(re.findall(r'/download/">file-\d\.txt<', html)) == 5 and "Showing 5 of 8 teams." in html
    )
    assert "Workspace renamed" in html


def test_a_pending_invitation_holds_a_seat_and_is_called_an_invitation_not_a_member(
    owner_client: Any, owner: Any, acme: Any, member_of_acme: Any
) -> None:
    """Invitations count under the member cap (one rule: tenant_seats_taken), so the
    usage line counts them, but says how many of the seats they are: "(including 1
    invitation)", since "3 of 5 (1 invitation)" read as three members and one more."""
    invitation_create(
        tenant=acme,
        email="new.hire@example.com",
        role=Role.objects.get(tenant=acme, key="member"),
        acting_user=owner,
    )

    html = overview(owner_client, acme)

    usage = text(html.split('data-testid="usage"', 1)[1].split("</ul>", 1)[0])
    assert "Members 3 of 5 (including 1 invitation)" in usage
    assert 'data-testid="member-count">2<' in html


@pytest.mark.parametrize(
    ("language", "dismiss", "two_members"),
    [
        (
            "de",
            'aria-label="Einrichtungs-Checkliste ausblenden">Ausblenden<',
            'member-count">2</span> Mitglieder',
        ),
        ("ar", 'aria-label="إخفاء قائمة الإعداد">إخفاء<', 'member-count">عضوان</span>'),
    ],
)
def test_the_overview_reads_as_one_sentence_in_german_and_arabic(
    owner_client: Any, owner: Any, acme: Any, language: str, dismiss: str, two_members: str
) -> None:
    """German screen readers heard "Ausblenden die Einrichtungs-Checkliste" (two
    messages in English order); Arabic read "2 عضوان", "two two members", then "2 عضو",
    one member's word after the figure two: the dual says two alone."""
    add_member(acme)
    owner.language = language
    owner.save(update_fields=["language"])

    html = owner_client.get(f"/t/{acme.slug}/").content.decode()

    assert dismiss in html
    assert two_members in html


@pytest.mark.parametrize(
    ("teams", "said"),
    [
        (0, "0 فرق"),  # zero counts a plural, not "0 فريق"
        (1, "فريق واحد"),
        (2, "فريقان"),  # the dual, with no figure before it
        (3, "3 فرق"),
        (11, "11 فريقًا"),
    ],
)
def test_the_team_count_takes_each_arabic_plural_form(
    owner_client: Any, owner: Any, acme: Any, teams: int, said: str
) -> None:
    """Arabic counts in six forms (0, 1, 2, 3-10, 11-99, 100 and more): the card's
    figure is inside its message, so one and two are said as words."""
    for number in range(teams):
        make_team(acme, f"Team {number}")
    owner.language = "ar"
    owner.save(update_fields=["language"])

    html = overview(owner_client, acme)

    card = html.split('data-testid="teams-card"', 1)[1].split("</p>", 1)[0]
    assert text(card.split('<p class="mt-2 text-sm text-slate-600">', 1)[1]) == said


def test_an_arabic_member_is_told_their_role_not_called_the_member(
    client: Client, acme: Any
) -> None:
    """ "أنت العضو" read "you are the member": the role's name is a label ("العضو" heads
    the members table too), so the sentence names it as one."""
    member = add_member(acme).user
    member.language = "ar"
    member.save(update_fields=["language"])
    client.force_login(member)

    html = overview(client, acme)

    assert 'دورك: <span class="font-medium text-slate-700" data-testid="your-role">العضو<' in html
