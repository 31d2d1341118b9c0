"""Create an organisation owned by an existing user. Running it again with the same
owner and name changes nothing (a provisioning script may run twice): it made a second
organisation of that name, at another address."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User, normalize_email
from tenants.models import Tenant
from tenants.services import tenant_create_org


class Command(BaseCommand):
    help = "Create an organisation: create_org --owner EMAIL --name NAME"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--owner", required=True, help="Email of an existing user.")
        parser.add_argument("--name", required=True, help="The organisation's name.")

    def handle(self, *args: Any, owner: str, name: str, **options: Any) -> None:
        try:
            user = User.objects.get(email=normalize_email(owner))
        except User.DoesNotExist:
            raise CommandError(f"No user with email {owner!r}. Sign them up first.") from None
        if not name.strip():
            raise CommandError("--name cannot be empty.")
        existing = (
            Tenant.objects.filter(
                kind=Tenant.Kind.ORG,
                deleted_at__isnull=True,
                name__iexact=name.strip(),
                memberships__user=user,
                memberships__role__key="owner",
            )
            .order_by("pk")
            .first()
        )
        if existing is not None:
            self.stdout.write(
                f"{user.email} already owns {existing.name} at /t/{existing.slug}/; "
                "nothing was created."
            )
            return
        try:
            tenant = tenant_create_org(owner=user, name=name, acting_user=None)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(f"Created {tenant.name} at /t/{tenant.slug}/ owned by {user.email}.")
        )
