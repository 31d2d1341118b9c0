"""Create an organisation owned by an existing user."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User, normalize_email
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
        try:
            tenant = tenant_create_org(owner=user, name=name, acting_user=None)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(f"Created {tenant.name} at /t/{tenant.slug}/ owned by {user.email}.")
        )
