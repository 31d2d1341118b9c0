"""The audit actions the upload services write (registered in uploads/apps.py)."""

from __future__ import annotations

from django.db import models


class FileAction(models.TextChoices):
    UPLOADED = "file.uploaded", "File uploaded"
    DELETED = "file.deleted", "File deleted"
