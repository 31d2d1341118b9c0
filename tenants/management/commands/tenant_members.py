"""Print a tenant's members with their roles and contact flags."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.models import Tenant
from tenants.selectors import membership_list


class Command(BaseCommand):
    help = "List the members of a tenant and their roles: tenant_members SLUG"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The tenant's slug (as in /t/<slug>/).")

    def handle(self, *args: Any, slug: str, **options: Any) -> None:
        try:
            tenant = Tenant.objects.get(slug=slug)
        except Tenant.DoesNotExist:
            raise CommandError(f"No tenant with slug {slug!r}.") from None
        state = " (deleted)" if tenant.is_deleted else ""
        self.stdout.write(f"{tenant.name} [{tenant.kind}] /t/{tenant.slug}/{state}")
        rows = list(membership_list(tenant=tenant))
        width = max((len(m.user.email) for m in rows), default=5)
        for m in rows:
            flags = ",".join(
                f
                for f, on in (("primary", m.is_primary_contact), ("billing", m.is_billing_contact))
                if on
            )
            self.stdout.write(f"  {m.user.email:<{width}}  {m.role.name:<14}  {flags}".rstrip())
        self.stdout.write(f"{len(rows)} member{'s' if len(rows) != 1 else ''}")
