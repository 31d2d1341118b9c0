"""The audit actions two-factor changes write (registered in mfa/apps.py). They go to
the person's personal workspace log (`core.audit.audit_record_for_user`)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# Where the audit log's action menu lists these (core/audit_actions.py).
GROUP = _("Security & sign-in")


class MfaAction(models.TextChoices):
    TOTP_ENABLED = "mfa.totp_enabled", _("Authenticator app turned on")
    TOTP_REMOVED = "mfa.totp_removed", _("Authenticator app removed")
    RECOVERY_CODES_GENERATED = "mfa.recovery_codes_generated", _("Recovery codes generated")
    RECOVERY_CODE_USED = "mfa.recovery_code_used", _("Recovery code used")
    PASSKEY_ADDED = "mfa.passkey_added", _("Passkey added")
    PASSKEY_REMOVED = "mfa.passkey_removed", _("Passkey removed")
    PASSKEY_RENAMED = "mfa.passkey_renamed", _("Passkey renamed")
    RESET = "mfa.reset", _("Two-factor authentication reset by an operator")
    BROWSER_TRUSTED = "mfa.browser_trusted", _("Browser trusted to sign in without a code")
    BROWSER_FORGOTTEN = "mfa.browser_forgotten", _("Trusted browser forgotten")
    BROWSERS_FORGOTTEN = "mfa.browsers_forgotten", _("All trusted browsers forgotten")


# What the audit log page calls the keys of these events' before/after.
FIELDS = {
    "codes": _("Codes"),
    "left": _("Codes left"),
    "replaced": _("Replaced the previous app"),
    "name": _("Name"),
    "authenticator_apps": _("Authenticator apps"),
    "passkeys": _("Passkeys"),
    "recovery_codes": _("Recovery codes"),
    "days": _("Days"),
    "browsers": _("Browsers"),
}
