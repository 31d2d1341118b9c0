from __future__ import annotations

from django.db import models


class SupportAction(models.TextChoices):
    IMPERSONATION_STARTED = "support.view_as_started", "Support started viewing as a member"
    IMPERSONATION_ENDED = "support.view_as_ended", "Support stopped viewing as a member"
