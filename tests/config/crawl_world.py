"""An organisation as a paying customer has it after a few weeks, and the pages each
person in it can open: the world the every-page browser test walks through.

Names and addresses are long on purpose (they are what breaks a phone layout), and
everything is made through the services, so the audit log fills as in production.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone

from accounts.models import EmailToken, User
from accounts.services_signup import signup_request
from accounts.tokens import email_token_issue
from api.services import api_key_create
from core.permissions import AUDIT_VIEW, BILLING_MANAGE, FILES_MANAGE, MEMBERS_INVITE, TEAMS_MANAGE
from sso.services_domains import domain_add
from tenants.invitations import invitation_create
from tenants.models import Role, Team, Tenant
from tenants.services import team_member_add
from tests.accounts.factories import UserFactory
from tests.accounts.mailtools import link_in
from tests.tenants.factories import OrgFactory, add_member, make_role, make_team
from tests.uploads.conftest import make_image
from uploads import images
from uploads import services as upload_services
from webhooks.delivery import payload_build
from webhooks.models import Attempt, Delivery
from webhooks.services import endpoint_create

PERSONAS = ("anonymous", "newcomer", "owner", "admin", "member")


@dataclass(frozen=True)
class Visit:
    url: str
    status: int = 200


@dataclass
class World:
    org: Tenant
    team: Team
    role: Role
    people: dict[str, User]
    anonymous_links: list[Visit] = field(default_factory=list)
    endpoint: Any = None
    delivery: Any = None

    def personal_slug(self, persona: str) -> str:
        return self.people[persona].personal_tenant.slug

    def visits(self, persona: str) -> list[Visit]:
        """Every page `persona` can be sent to, with the answer they should get."""
        if persona == "anonymous":
            return [
                Visit("/"),
                Visit(reverse("accounts:sign-in")),
                Visit(reverse("accounts:sign-up")),
                Visit(reverse("accounts:sign-up-sent")),
                Visit(reverse("accounts:password-forgot")),
                Visit(reverse("accounts:password-forgot-sent")),
                Visit(reverse("accounts:signed-out")),  # lands on / with its notice
                # Without a password step first it leads back to the sign-in page (the
                # second step itself: tests/mfa/test_browser.py).
                Visit(reverse("accounts:sign-in-verify")),
                Visit(reverse("sso:start")),
                # A provider's redirect back without a sign-in started here: the refusal.
                Visit(reverse("sso:callback"), status=400),
                Visit(reverse("sso:social-callback", args=["google"]), status=400),
                Visit(reverse("sso:social-link", kwargs={"token": "expired"}), status=400),
                Visit("/no-such-page/", status=404),
                Visit(reverse("api-docs")),
                Visit(reverse("webhooks-docs:reference")),
                *self.anonymous_links,
            ]
        user = self.people[persona]
        pages = [Visit(reverse("workspaces:app")), Visit("/no-such-page/", status=404)]
        if persona in ("newcomer", "owner"):  # the same pages for everyone signed in
            pages += [
                Visit(reverse("accounts:profile")),
                Visit(reverse("accounts:email-change")),
                Visit(reverse("accounts:delete")),
                Visit(reverse("sessions:list")),
                Visit(reverse("mfa:security")),
                Visit(reverse("mfa:totp-setup")),
                Visit(reverse("mfa:passkey-add")),
                Visit(reverse("accounts:reauth") + "?next=/account/"),
                Visit(reverse("workspaces:list")),
                # An unverified address cannot create an organisation yet: the page says so.
                Visit(reverse("workspaces:create"), status=403 if persona == "newcomer" else 200),
            ]
        if persona == "newcomer":  # not yet verified, only the personal workspace
            return [
                *pages,
                Visit(_in(user.personal_tenant, "tenant:dashboard")),
                Visit(reverse("accounts:verify-required")),
            ]
        return pages + [
            Visit(_in(self.org, name, **kwargs), status=statuses[persona])
            for name, kwargs, statuses in self._org_pages()
        ]

    def _org_pages(self) -> list[tuple[str, dict[str, int], dict[str, int]]]:
        everyone = {"owner": 200, "admin": 200, "member": 200}
        managers = {"owner": 200, "admin": 200, "member": 403}
        billing = {"owner": 200, "admin": 403, "member": 403}
        owners = billing  # sso.manage and "Manage directory sync": the owner role alone
        return [
            ("tenant:dashboard", {}, everyone),
            ("tenant:members", {}, everyone),
            ("tenant:teams", {}, everyone),
            ("tenant:team-edit", {"team_id": self.team.pk}, managers),
            ("tenant:team-members", {"team_id": self.team.pk}, everyone),
            ("tenant:roles", {}, everyone),
            ("tenant:role-edit", {"role_id": self.role.pk}, managers),
            ("tenant:settings", {}, everyone),
            ("scim:settings", {}, owners),
            ("tenant:audit", {}, managers),
            ("api-keys:list", {}, managers),
            ("webhooks:list", {}, managers),
            ("webhooks:detail", {"endpoint_id": self.endpoint.pk}, managers),
            ("webhooks:edit", {"endpoint_id": self.endpoint.pk}, managers),
            (
                "webhooks:delivery",
                {"endpoint_id": self.endpoint.pk, "delivery_id": self.delivery.pk},
                managers,
            ),
            ("files:list", {}, everyone),
            ("billing:overview", {}, billing),
            ("billing:success", {}, billing),
            ("billing:cancel", {}, billing),
            ("sso_settings:domains", {}, owners),
            ("sso_settings:connection", {}, owners),
            # Without the local backend it leads back to the billing page (the portal
            # itself: tests/billing/test_local_portal_browser.py).
            ("billing:local-portal", {}, billing),
            # Acme does not require two-factor: the page leads back to the overview.
            ("tenant:two-factor-required", {}, everyone),
        ]


def _in(tenant: Tenant, name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant_slug": tenant.slug, **kwargs})


def _image() -> images.NormalizedImage:
    data = make_image("PNG", (256, 256))
    return images.image_normalize(io.BytesIO(data), size=len(data))


def build_world(*, outbox: list[EmailMessage]) -> World:
    """Create the organisation and its people; `outbox` is where mail is captured."""
    owner = UserFactory(
        name="Olivia Okonkwo-Richardson",
        email="olivia.okonkwo-richardson@acme-corporation-international.example.com",
    )
    org = OrgFactory(owner=owner, name="Acme Corporation International Holdings")
    upload_services.avatar_update(user=owner, image=_image())
    upload_services.logo_update(tenant=org, image=_image(), acting_user=owner)
    admin = add_member(
        org,
        UserFactory(
            name="Bartholomew Alexander Fitzgerald-Montgomery",
            email="bartholomew.fitzgerald-montgomery@engineering.acme-corporation.example.com",
        ),
        "admin",
    )
    member = add_member(
        org, UserFactory(name="Mia Member", email="mia.member@acme-corporation.example.com")
    )
    role = make_role(org, "Finance and files coordinator", [BILLING_MANAGE, FILES_MANAGE])
    coordinator = add_member(
        org,
        UserFactory(
            name="Anastasia Konstantinopoulou-Vandersteen",
            email="anastasia.konstantinopoulou@finance-department.acme-corporation.example.com",
        ),
        role=role,
    )
    make_role(org, "Recruiter", [MEMBERS_INVITE])
    platform = make_team(org, "Platform Engineering")
    team = make_team(org, "Infrastructure and Site Reliability Engineering", parent=platform)
    make_team(org, "Customer Success")
    for membership in (admin, member, coordinator):
        team_member_add(tenant=org, team=team, membership=membership, acting_user=owner)
    report = "Quarterly board report Q3 2026 final version approved by finance.pdf"
    for name, extension, content_type in [
        (report, "pdf", "application/pdf"),
        ("meeting-notes.txt", "txt", "text/plain"),
    ]:
        upload_services.upload_create(
            tenant=org,
            uploaded_by=owner,
            file=ContentFile(b"%PDF-1.4 sample" if extension == "pdf" else b"notes", name=name),
            extension=extension,
            content_type=content_type,
        )
    invitation_create(
        tenant=org,
        email="new.colleague.with.a.rather.long.address@partner-agency.example.org",
        role=role,
        teams=[team],
        acting_user=owner,
    )
    invite_link = link_in(outbox[-1])
    # A claimed domain waiting for its TXT record: the domains page shows the record.
    domain_add(tenant=org, domain="acme-corporation-international.example.com", acting_user=owner)
    api_key_create(
        tenant=org,
        name="Nightly export to the finance department's data warehouse",
        scopes=[AUDIT_VIEW, FILES_MANAGE, MEMBERS_INVITE, TEAMS_MANAGE],
        expires_at=None,
        acting_user=owner,
    )
    # Last, so that none of the events above is sent anywhere.
    endpoint, _ = endpoint_create(
        tenant=org,
        url="https://93.184.215.14/webhooks/pacetrack/incoming-events-from-acme-corporation",
        description="Our CRM's intake for new colleagues and their teams",
        event_types=["member.added", "member.removed", "invitation.created", "team.created"],
        acting_user=owner,
    )
    delivery = _delivery_answered(endpoint)
    newcomer = UserFactory(name="Noah Newcomer", email="noah.newcomer@example.com", unverified=True)
    return World(
        org=org,
        team=team,
        role=role,
        people={
            "owner": owner,
            "admin": admin.user,
            "member": member.user,
            "newcomer": newcomer,
        },
        anonymous_links=_email_links(invite_link=invite_link, outbox=outbox),
        endpoint=endpoint,
        delivery=delivery,
    )


def _delivery_answered(endpoint: Any) -> Delivery:
    """A delivery with a long answer, as the worker would have kept it (nothing is sent:
    the endpoint's address is public and the crawl is offline)."""
    now = timezone.now()
    delivery = Delivery.objects.create(
        tenant=endpoint.tenant,
        endpoint=endpoint,
        message_id="msg_crawl0000000000000000",
        event_type="team.created",
        payload=payload_build(
            event_type="team.created",
            data={"team_id": 1, "name": "Platform engineering and operations", "parent_id": None},
            at=now,
        ),
        status=Delivery.Status.SUCCEEDED,
        attempts=1,
        created_at=now,
        retries_from=now,
    )
    Attempt.objects.create(
        delivery=delivery,
        number=1,
        sent_at=now,
        request_headers={"Content-Type": "application/json", "webhook-id": delivery.message_id},
        response_status=200,
        response_body='{"received": true, "trace": "' + "0123456789abcdef" * 40 + '"}',
        duration_ms=182,
    )
    return delivery


def _email_links(*, invite_link: str, outbox: list[EmailMessage]) -> list[Visit]:
    """The pages people open from their email: each link valid, and one that is not."""
    signup_request(email="sam.signup@example.com", name="Sam Signup", password="long-phrase-1")
    confirm_link = link_in(outbox[-1])
    reader = UserFactory(email="rita.reset@example.com", unverified=True)
    reset = email_token_issue(user=reader, purpose=EmailToken.Purpose.PASSWORD_RESET)
    verify = email_token_issue(
        user=reader, purpose=EmailToken.Purpose.VERIFY_EMAIL, email=reader.email
    )
    mover = UserFactory(email="mo.mover@example.com")
    change = email_token_issue(
        user=mover, purpose=EmailToken.Purpose.EMAIL_CHANGE, email="mo.new@example.com"
    )
    return [
        Visit(invite_link),
        Visit(reverse("invites:sign-up", kwargs={"token": invite_link.strip("/").split("/")[-1]})),
        Visit(confirm_link),
        Visit(reverse("accounts:password-reset", kwargs={"token": reset})),
        Visit(reverse("accounts:password-reset", kwargs={"token": "expired-or-mistyped"}), 400),
        Visit(reverse("accounts:verify-email", kwargs={"token": change})),  # asks first
        Visit(reverse("accounts:verify-email", kwargs={"token": verify})),
    ]
