"""The audit actions two-factor changes write (registered in mfa/apps.py). They go to
the person's personal workspace log (`core.audit.audit_record_for_user`)."""

from __future__ import annotations

from django.db import models


class MfaAction(models.TextChoices):
    TOTP_ENABLED = "mfa.totp_enabled", "Authenticator app turned on"
    TOTP_REMOVED = "mfa.totp_removed", "Authenticator app removed"
    RECOVERY_CODES_GENERATED = "mfa.recovery_codes_generated", "Recovery codes generated"
    RECOVERY_CODE_USED = "mfa.recovery_code_used", "Recovery code used"
    PASSKEY_ADDED = "mfa.passkey_added", "Passkey added"
    PASSKEY_REMOVED = "mfa.passkey_removed", "Passkey removed"
    RESET = "mfa.reset", "Two-factor authentication reset by an operator"
