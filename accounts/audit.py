"""The audit actions accounts writes (registered in accounts/apps.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.audit_actions import ValueLabels

# Where the audit log's action menu lists these (core/audit_actions.py).
GROUP = _("Account")


class AccountAction(models.TextChoices):
    DELETED = "account.deleted", _("Account deleted")
    LOCALE_CHANGED = "account.locale_changed", _("Language or time zone changed")
    PASSWORD_CHANGED = "account.password_changed", _("Password changed")
    PASSWORD_RESET = "account.password_reset", _("Password reset by email link")
    EMAIL_CHANGED = "account.email_changed", _("Email address changed")
    ADDRESS_CLAIMED = (
        "account.address_claimed",
        _("Email address proven: the sign-in methods set before it were removed"),
    )


# What the audit log page calls the keys of these events' before/after.
FIELDS = {
    "language": _("Language"),
    "time_zone": _("Time zone"),
    "password": _("Password"),
    "email": _("Email"),
    # How many other devices a password change or reset signed out.
    "signed_out": _("Devices signed out"),
    # What an address's owner claiming an account removed (the maker's ways in).
    "providers": _("Connected providers"),
}


def _language_said(code: object) -> str | None:
    """A language under its own name, as the language menu lists it."""
    if not isinstance(code, str):
        return None
    if not code:
        return str(_("The browser's language"))
    return dict(settings.LANGUAGES).get(code)


# What the codes under those keys mean.
VALUES: dict[str, ValueLabels] = {
    "language": _language_said,
}
