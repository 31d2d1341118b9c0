"""A signed-in device: one row per sign-in, found by the SHA-256 of its token.

The token itself only ever lives in the client's cookie, so a copy of this table
cannot be used to sign in. Rows are revoked (`revoked_at`), never deleted on
sign-out; `manage.py cleanup_sessions` removes old ones.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cached_property
from typing import Self

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sessions_app.authentication import factor_labels
from sessions_app.devices import BROWSER_MAX_LENGTH, SYSTEM_MAX_LENGTH, device_said


class SessionQuerySet(models.QuerySet):
    def active(self, *, now: datetime | None = None) -> Self:
        """Not revoked and not expired (expiry never passes the absolute lifetime)."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())

    def expired(self, *, now: datetime | None = None) -> Self:
        return self.filter(revoked_at__isnull=True, expires_at__lte=now or timezone.now())

    def revoked(self) -> Self:
        return self.filter(revoked_at__isnull=False)


class Session(models.Model):
    class RevokedReason(models.TextChoices):
        SIGNED_OUT = "signed_out", _("Signed out")
        ROTATED = "rotated", _("Replaced by a new sign-in")
        REVOKED_BY_USER = "revoked_by_user", _("Signed out from another device")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        PASSWORD_RESET = "password_reset", _("Password reset")
        ADMIN = "admin", _("Revoked by an administrator")
        SESSION_LIMIT = "session_limit", _("Signed out to stay within the device limit")
        DEPROVISIONED = "deprovisioned", _("Deactivated by an organisation's directory")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sessions"
    )
    # The tenant last used in this session: where `/app/` sends the user.
    active_tenant = models.ForeignKey(
        "tenants.Tenant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Hex SHA-256 of the token; the token itself is never stored.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_activity_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    # The English label (admin, search, export); `device_said` is what people read.
    device = models.CharField(max_length=100, blank=True, help_text='e.g. "Firefox on Linux".')
    browser = models.CharField(
        max_length=BROWSER_MAX_LENGTH, blank=True, help_text='e.g. "Firefox".'
    )
    system = models.CharField(max_length=SYSTEM_MAX_LENGTH, blank=True, help_text='e.g. "Linux".')
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=20, choices=RevokedReason.choices, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # When the browser was told why it was signed out (`sessions_app.notices`): once.
    # A column of its own, so the row's times stay as they were when it ended.
    end_told_at = models.DateTimeField("signed-out notice shown at", null=True, blank=True)
    # Any other keys Django code writes into request.session (auth's backend and
    # password hash, for instance); kept small by design.
    data = models.JSONField(default=dict, blank=True)

    objects = SessionQuerySet.as_manager()
    # Display flags views set on fetched rows for their templates; never stored.
    active_recently: bool
    is_current: bool
    revoke_url: str
    signed_in_with: str

    class Meta:
        indexes = [
            models.Index(fields=["user", "-last_activity_at"], name="sessions_user_activity"),
            models.Index(fields=["expires_at"], name="sessions_expires_at"),
            models.Index(fields=["revoked_at"], name="sessions_revoked_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True) | ~models.Q(revoked_reason=""),
                name="sessions_revoked_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.device or 'Unknown device'} for {self.user_id}"

    @cached_property
    def device_said(self) -> str:
        """The device in the reader's language: "Firefox unter Linux" (read twice per row
        of the devices page: its sign-out question and its button's name)."""
        return device_said(browser=self.browser, system=self.system, stored=self.device)

    @property
    def sign_out_name(self) -> str:
        """The accessible name of this device's "Sign out" button on the devices page,
        apart from the other devices' (a `{% blocktranslate %}` per row cost the page
        ~7% of its CPU at 20 rows)."""
        if not self.device:
            return gettext("Sign out another device")
        return gettext("Sign out %(device)s") % {"device": self.device_said}

    @property
    def absolute_expiry(self) -> datetime:
        """After this moment no renewal helps: the user must sign in again."""
        return self.created_at + timedelta(seconds=settings.SESSIONS_ABSOLUTE_LIFETIME)

    @property
    def revoked_while_valid(self) -> bool:
        """Revoked before it expired and not yet told so: ended by a sign-out, another
        device, staff or a password change, not by time (revoking everyone's sessions
        marks expired rows too)."""
        if self.revoked_at is None or self.end_told_at is not None:
            return False
        return self.revoked_at < min(self.expires_at, self.absolute_expiry)

    def is_valid(self, *, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and now < self.expires_at and now < self.absolute_expiry

    @property
    def factors(self) -> list[str]:
        """How this session signed in ("Password", "Authenticator app"…), if recorded."""
        return factor_labels(self.data)

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.is_valid() else "expired"
