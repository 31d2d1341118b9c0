from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from support.models import Impersonation

# Where the audit log's action menu lists these (core/audit_actions.py).
GROUP = _("Support & staff")


class SupportAction(models.TextChoices):
    IMPERSONATION_STARTED = "support.view_as_started", _("Support started viewing as a member")
    IMPERSONATION_ENDED = "support.view_as_ended", _("Support stopped viewing as a member")


# What the audit log page calls the keys of these events' before/after.
FIELDS = {
    "reason": _("Reason"),
    "minutes": _("Minutes"),
    "why": _("Why it ended"),
}

# What the codes under those keys mean ("reason" is the text staff typed: as stored).
VALUES = {
    "why": Impersonation.EndReason,
}
