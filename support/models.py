"""One row per "view as": who, as whom, why, until when. The staff member's own session
carries the row's id (`SESSION_KEY`); nothing is issued to the person viewed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Impersonation(models.Model):
    class EndReason(models.TextChoices):
        STOPPED = "stopped", _("Stopped by staff")
        EXPIRED = "expired", _("Time limit reached")
        REVOKED = "revoked", _("Staff lost the permission")

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    target = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=10, choices=EndReason.choices, blank=True)

    class Meta:
        ordering = ["-started_at"]
        permissions = [("impersonate", "Can view the app as another (non-staff) user")]

    def __str__(self) -> str:
        return f"{self.staff} as {self.target}"
