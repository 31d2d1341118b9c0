"""The audit actions the upload services write (registered in uploads/apps.py)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.audit_actions import ValueLabels, size_said

# Where the audit log's action menu lists these (core/audit_actions.py).
GROUP = _("Files")


class FileAction(models.TextChoices):
    UPLOADED = "file.uploaded", _("File uploaded")
    DELETED = "file.deleted", _("File deleted")


# What the audit log page calls the keys of these events' before/after.
FIELDS = {
    "content_type": _("File type"),
    "size": _("Size"),
}

# How the log page says their values: the size with its unit ("5 bytes", not "5").
VALUES: dict[str, ValueLabels] = {"size": size_said}
