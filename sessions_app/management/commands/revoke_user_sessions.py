"""Sign a user out everywhere: the operator's answer to a stolen laptop or account."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sessions_app.models import Session
from sessions_app.services import session_revoke_all_for_user


class Command(BaseCommand):
    help = (
        "Revoke every live session of the user with this EMAIL (they must sign in again on "
        "every device). Recorded in the user's audit log as revoked by an administrator."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, email: str, **options: Any) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(email=email.strip().lower())
        except User.DoesNotExist:
            raise CommandError(f"No user with the email {email!r}.") from None
        count = session_revoke_all_for_user(user=user, reason=Session.RevokedReason.ADMIN)
        self.stdout.write(f"Revoked {count} session(s) of {user.email}.")
