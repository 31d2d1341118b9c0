"""Re-encrypt every stored secret under the current SECRET_KEY, so the previous one can
leave SECRET_KEY_FALLBACKS (README, "Rotating SECRET_KEY")."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from core.signals import encrypted_secrets_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret (webhook signing secrets, SSO client secrets and "
        "SAML keys, authenticator-app secrets) under the current SECRET_KEY. Run it after "
        "moving the old SECRET_KEY into SECRET_KEY_FALLBACKS, before removing it from there: "
        "without it they cannot be read any more. Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            answers = encrypted_secrets_rotate.send(sender=self.__class__)
        except ImproperlyConfigured as error:  # a value no configured key opens
            raise CommandError(str(error)) from None
        total = 0
        for _receiver, counts in answers:
            assert isinstance(counts, dict)  # each receiver returns {what: how many}
            for what, count in counts.items():
                self.stdout.write(f"{what}: {count} re-encrypted")
                total += count
        self.stdout.write(f"Done: {total} secret(s) now under the current SECRET_KEY.")
