"""Reset someone's two-factor authentication: the answer to a lost phone and lost codes.

Check who is asking before running it (a call back to a known number, an ID check):
whoever gets it run signs in with the password alone."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mfa.services import two_factor_reset


class Command(BaseCommand):
    help = (
        "Remove the authenticator app, passkeys and recovery codes of the user with this "
        "EMAIL, so their password alone signs in. Audited in their log and emailed to them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, email: str, **options: Any) -> None:
        User = get_user_model()
        try:
            user = User._default_manager.get_by_natural_key(email)
        except User.DoesNotExist:
            raise CommandError(f"No user with the email {email!r}.") from None
        removed = two_factor_reset(user=user)
        if not any(removed.values()):
            self.stdout.write(f"{user.email} had no two-factor methods; recorded and emailed.")
            return
        self.stdout.write(
            f"Reset two-factor authentication of {user.email}: "
            f"{removed['authenticator_apps']} authenticator app(s), "
            f"{removed['passkeys']} passkey(s), {removed['recovery_codes']} recovery code(s) "
            "removed. They were emailed."
        )
