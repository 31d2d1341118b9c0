"""What the browser tests of toasts, confirmations and busy buttons share: signing in
through the page, the confirmation dialog, and a workspace with one of everything."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tenants.invitations import invitation_create
from tenants.models import Invitation, Membership, Role, Team, Tenant
from tenants.services import team_member_add
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.tenants.factories import OrgFactory, add_member, make_role, make_team
from uploads.models import Upload
from uploads.services import upload_create


def sign_in(page: Any, email: str, *, then: str = "") -> None:
    """Sign in through the form (as a person would), then open `then`."""
    page.goto("/auth/sign-in/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url("**/t/**")
    if then:
        page.goto(then)


def dialog(page: Any) -> Any:
    """The confirmation dialog (open or not)."""
    return page.get_by_role("dialog")


@dataclass
class Workspace:
    """Acme as its owner sees it: an admin, a member, a team with the member in it, an
    unused custom role, a pending invitation and a file."""

    org: Tenant
    owner: Any
    admin: Membership
    member: Membership
    team: Team
    role: Role
    invitation: Invitation
    upload: Upload

    def url(self, page: str = "") -> str:
        return f"/t/{self.org.slug}/{page}"


def workspace() -> Workspace:
    owner = UserFactory(email="olivia@example.com", name="Olivia Owner")
    org = OrgFactory(owner=owner, name="Acme")
    admin = add_member(org, UserFactory(email="adam@example.com", name="Adam Admin"), "admin")
    member = add_member(org, UserFactory(email="mia@example.com", name="Mia Member"))
    team = make_team(org, "Design")
    team_member_add(tenant=org, team=team, membership=member, acting_user=None)
    role = make_role(org, "Auditor", ["audit.view"])
    invitation = invitation_create(
        tenant=org,
        email="grace@example.com",
        role=Role.objects.get(tenant=org, key="member"),
        acting_user=owner,
    )
    upload = upload_create(
        tenant=org,
        uploaded_by=owner,
        file=SimpleUploadedFile("plan.txt", b"The plan.", content_type="text/plain"),
        extension="txt",
        content_type="text/plain",
    )
    return Workspace(org, owner, admin, member, team, role, invitation, upload)
