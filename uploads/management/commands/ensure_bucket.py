from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from uploads.storage import storage_ensure_bucket


class Command(BaseCommand):
    help = "Create the storage bucket (S3/MinIO) or media directory if it does not exist."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            message = storage_ensure_bucket()
        except Exception as exc:  # noqa: BLE001 - report any backend failure with its reason
            raise CommandError(f"Could not ensure the storage bucket: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(message))
