"""Second factors (authenticator apps, recovery codes) and failed sign-ins.

Nothing here can be used to sign in from a copy of the database: TOTP secrets are
encrypted with a key derived from SECRET_KEY (mfa/crypto.py) and recovery codes are
stored as SHA-256 hashes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sessions_app.devices import BROWSER_MAX_LENGTH, SYSTEM_MAX_LENGTH, device_said


class TOTPDeviceQuerySet(models.QuerySet["TOTPDevice"]):
    def active(self) -> TOTPDeviceQuerySet:
        """Apps whose set-up is finished: only these sign anyone in or count as a factor."""
        return self.filter(confirmed_at__isnull=False)


class TOTPDevice(models.Model):
    """An authenticator app (RFC 6238 TOTP). A device is active once `confirmed_at` is
    set by one valid code; until then it is a set-up in progress. A person has at most
    one of each, so replacing a phone never leaves them without a working app."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_devices"
    )
    secret_encrypted = models.TextField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # The 30-second time step of the last accepted code: a code from this step or an
    # earlier one is a replay (RFC 6238 section 5.2), refused even inside its window.
    last_used_step = models.BigIntegerField(default=0, editable=False)

    objects = TOTPDeviceQuerySet.as_manager()

    class Meta:
        verbose_name = "authenticator app"
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(confirmed_at__isnull=False),
                name="mfa_totp_one_active_per_user",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(confirmed_at__isnull=True),
                name="mfa_totp_one_setup_per_user",
            ),
        ]

    def __str__(self) -> str:
        state = "active" if self.confirmed_at else "being set up"
        return f"Authenticator app of {self.user_id} ({state})"


class RecoveryCode(models.Model):
    """One single-use recovery code; only its SHA-256 is kept. A new set replaces the
    old one entirely."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "code_hash"], name="mfa_recovery_code_unique"),
        ]

    def __str__(self) -> str:
        return f"Recovery code of {self.user_id}{' (used)' if self.used_at else ''}"


class FailedSignIn(models.Model):
    """A failed attempt to sign in to an existing account, or to confirm it is them
    from a signed-in session, for its owner's security page. Rate limits bound how many
    an attacker can add (ratelimit tiers `auth-*`, `mfa-*` and `password-check`); rows
    older than FAILED_SIGN_IN_KEEP_DAYS are dropped as new ones come."""

    class Stage(models.TextChoices):
        PASSWORD = "password", _("Wrong password")
        SECOND_FACTOR = "second_factor", _("Wrong two-factor code")
        # "Confirm it's you" before a sensitive action, by someone already signed in.
        REAUTH_PASSWORD = "reauth_password", _("Wrong password to confirm it's you")
        REAUTH_CODE = "reauth_code", _("Wrong two-factor code to confirm it's you")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="failed_sign_ins"
    )
    stage = models.CharField(max_length=20, choices=Stage.choices)
    created_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    device = models.CharField(max_length=100, blank=True, help_text='e.g. "Firefox on Linux".')
    browser = models.CharField(
        max_length=BROWSER_MAX_LENGTH, blank=True, help_text='e.g. "Firefox".'
    )
    system = models.CharField(max_length=SYSTEM_MAX_LENGTH, blank=True, help_text='e.g. "Linux".')

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="mfa_failed_user_recent")]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} for {self.user_id}"

    @property
    def device_said(self) -> str:
        """The device in the reader's language (see `Session.device_said`)."""
        return device_said(browser=self.browser, system=self.system, stored=self.device)


class Passkey(models.Model):
    """A WebAuthn credential (a passkey): only its public key is stored. It signs in on
    its own (discoverable, with user verification) or as the second factor."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="passkeys"
    )
    name = models.CharField(max_length=60)
    # base64url, as browsers send it; at most 1,023 bytes by the WebAuthn spec.
    credential_id = models.CharField(max_length=1400, unique=True, editable=False)
    public_key = models.BinaryField(editable=False)  # COSE
    # The authenticator's signature counter; a lower one than stored means a clone.
    sign_count = models.PositiveBigIntegerField(default=0, editable=False)
    transports = models.JSONField(default=list, blank=True, editable=False)
    aaguid = models.CharField(max_length=36, blank=True, editable=False)
    backed_up = models.BooleanField(default=False, editable=False)  # synced (e.g. iCloud)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"], name="mfa_passkey_user")]

    def __str__(self) -> str:
        return f"Passkey “{self.name}” of {self.user_id}"


class TrustedBrowser(models.Model):
    """A browser its person chose to trust at the second step ("Don't ask again on this
    browser"): signing in there with the right password skips the second step until
    `expires_at`. The browser holds a random token in a cookie (mfa/trusted.py); only
    its SHA-256 is stored, so a copy of the database trusts nobody."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trusted_browsers"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    device = models.CharField(max_length=100, blank=True, help_text='e.g. "Firefox on Linux".')
    browser = models.CharField(
        max_length=BROWSER_MAX_LENGTH, blank=True, help_text='e.g. "Firefox".'
    )
    system = models.CharField(max_length=SYSTEM_MAX_LENGTH, blank=True, help_text='e.g. "Linux".')

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="mfa_trusted_user_recent")]

    def __str__(self) -> str:
        return f"Trusted browser of {self.user_id} ({self.device or 'unknown device'})"

    @property
    def device_said(self) -> str:
        """The device in the reader's language (see `Session.device_said`)."""
        return device_said(browser=self.browser, system=self.system, stored=self.device)
