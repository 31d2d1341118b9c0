"""Create the demo users and tenants used by the README's quick start. Idempotent."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import user_signup
from billing.backends import billing_enabled
from billing.exceptions import PlanLimitReached
from billing.plans import plan_allows, plan_for_tenant
from core.permissions import AUDIT_VIEW, BILLING_MANAGE
from tenants.invitations import invitation_create
from tenants.models import Invitation, Membership, Role, Team, Tenant
from tenants.services import (
    membership_create,
    role_create,
    team_create,
    team_member_add,
    tenant_create_org,
)

DEMO_PASSWORD = "pacetrack-demo-2026"
DEMO_USERS = [
    # email, name, staff
    ("owner@pacetrack.test", "Olivia Owner", True),
    ("admin@pacetrack.test", "Adam Admin", False),
    ("member@pacetrack.test", "Mia Member", False),
]
DEMO_ORG = "Acme Corp"
DEMO_TEAMS = [
    ("Engineering", ["admin@pacetrack.test", "member@pacetrack.test"]),
    ("Customer Success", ["owner@pacetrack.test"]),
]
DEMO_INVITEE = "new.hire@pacetrack.test"


class Command(BaseCommand):
    help = f"Create demo users (password: {DEMO_PASSWORD}) and the Acme Corp organisation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (a throwaway demo deployment only).",
        )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            # The demo owner is a superuser whose password is printed in the README.
            raise CommandError(
                "seed_demo creates a superuser with a published password, so it refuses to "
                "run with DEBUG off. Pass --force only on a throwaway demo deployment."
            )
        users: dict[str, User] = {}
        for email, name, staff in DEMO_USERS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = user_signup(email=email, password=DEMO_PASSWORD, name=name)
                self.stdout.write(f"created user {email}")
            if staff and not user.is_staff:
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
            if user.email_verified_at is None:  # demo inboxes don't exist
                user.email_verified_at = timezone.now()
                user.save(update_fields=["email_verified_at"])
            users[email] = user

        org = Tenant.objects.filter(name=DEMO_ORG, kind=Tenant.Kind.ORG).first()
        if org is None:
            org = tenant_create_org(owner=users["owner@pacetrack.test"], name=DEMO_ORG)
            self.stdout.write(f"created organisation {DEMO_ORG} (/t/{org.slug}/)")
        owner = users["owner@pacetrack.test"]
        for email, role_key in [
            ("admin@pacetrack.test", "admin"),
            ("member@pacetrack.test", "member"),
        ]:
            if not Membership.objects.filter(user=users[email], tenant=org).exists():
                membership_create(
                    tenant=org,
                    user=users[email],
                    role=Role.objects.get(tenant=org, key=role_key),
                    acting_user=owner,
                )
        self._lived_in(org=org, users=users)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        if billing_enabled():
            self.stdout.write(
                f"  {DEMO_ORG} is on the {plan_for_tenant(org).name} plan; features it lacks "
                f"show an upgrade card. Plans: {settings.SITE_URL}/t/{org.slug}/billing/"
            )
        self.stdout.write(
            f"  Sign in at {settings.SITE_URL}/auth/sign-in/"
            f" as owner@pacetrack.test / {DEMO_PASSWORD}"
        )

    def _lived_in(self, *, org: Tenant, users: dict[str, User]) -> None:
        """Teams, a custom role and a pending invitation, so every page of the
        demo (and the README screenshots, `make screenshots`) shows a workspace in use."""
        owner = users["owner@pacetrack.test"]
        # With billing on (`make run`'s local backend) Acme starts on Free, whose gated
        # roles page is part of the demo: the custom role waits for an upgrade.
        custom_roles = plan_allows(tenant=org, feature="custom_roles")
        if custom_roles and not Role.objects.filter(tenant=org, name="Billing manager").exists():
            role_create(
                tenant=org,
                name="Billing manager",
                permissions=[BILLING_MANAGE, AUDIT_VIEW],
                acting_user=owner,
            )
        for name, emails in DEMO_TEAMS:
            team = Team.objects.filter(tenant=org, name=name).first()
            if team is None:
                team = team_create(tenant=org, name=name, parent=None, acting_user=owner)
                for email in emails:
                    membership = Membership.objects.get(tenant=org, user=users[email])
                    team_member_add(tenant=org, team=team, membership=membership, acting_user=owner)
        if not Invitation.objects.filter(tenant=org, email=DEMO_INVITEE).exists():
            try:
                invitation_create(
                    tenant=org,
                    email=DEMO_INVITEE,
                    role=Role.objects.get(tenant=org, key="member"),
                    acting_user=owner,
                )
            except PlanLimitReached as full:  # BILLING_FREE_MAX_MEMBERS below the demo's 4
                self.stdout.write(f"  no demo invitation: {full.message}")
