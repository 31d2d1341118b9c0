"""Starting, checking and stopping a "view as" (built on our session engine).

The staff member keeps their own session; it carries the `Impersonation` id
(`SESSION_KEY`), and `support.middleware.ImpersonationMiddleware` shows the app as the
target for as long as the row is live. Nothing is issued to the person viewed: their
devices list is unchanged and ending the staff session ends the view.
Start and stop are written to the audit log of every live workspace the person
belongs to (their personal one included), with both identities.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from support.audit import SupportAction
from support.exceptions import ImpersonationRefused
from support.models import Impersonation

if TYPE_CHECKING:
    from accounts.models import User

SESSION_KEY = "support_impersonation"
PERMISSION = "support.impersonate"
REASON_MIN_LENGTH = 10


def impersonation_refusal(*, staff: User, target: User) -> str:
    """Why `staff` may not view the app as `target` ("" when they may)."""
    if not (staff.is_active and staff.is_staff and staff.has_perm(PERMISSION)):
        return _("Viewing as someone needs the “support.impersonate” permission.")
    if target.pk == staff.pk:
        return _("You cannot view the app as yourself.")
    if target.is_staff or target.is_superuser:
        return _("Staff and superuser accounts can never be viewed as.")
    if not target.is_active:
        return _("This account is deactivated.")
    return ""


def impersonation_start(
    *, session: Any, staff: User, target: User, reason: str, minutes: int | None = None
) -> Impersonation:
    """Start viewing the app as `target` in `session` (the staff member's own)."""
    if refusal := impersonation_refusal(staff=staff, target=target):
        raise ImpersonationRefused(refusal)
    reason = reason.strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise ImpersonationRefused(
            _(
                "Give the reason (at least %(length)d characters): a ticket or what "
                "the person asked for."
            )
            % {"length": REASON_MIN_LENGTH}
        )
    if session.get(SESSION_KEY) is not None:
        raise ImpersonationRefused(_("Stop the current “view as” first."))
    limit = minutes or settings.SUPPORT_IMPERSONATION_MINUTES
    limit = min(limit, settings.SUPPORT_IMPERSONATION_MINUTES)
    now = timezone.now()
    with transaction.atomic():
        row = Impersonation.objects.create(
            staff=staff,
            target=target,
            reason=reason,
            started_at=now,
            expires_at=now + timedelta(minutes=limit),
        )
        _audit(row, SupportAction.IMPERSONATION_STARTED, {"reason": reason, "minutes": limit})
    session[SESSION_KEY] = row.pk
    return row


def impersonation_current(*, session: Any, user: Any) -> Impersonation | None:
    """The live "view as" of this session (one query), ending it when its time is up or
    its staff member lost the right to it."""
    row_id = session.get(SESSION_KEY)
    if row_id is None:
        return None
    row = (
        Impersonation.objects.select_related("staff", "target")
        .filter(pk=row_id, staff_id=getattr(user, "pk", None), ended_at__isnull=True)
        .first()
    )
    if row is None:
        del session[SESSION_KEY]
        return None
    if timezone.now() >= row.expires_at:
        _end(session, row, Impersonation.EndReason.EXPIRED)
        return None
    if impersonation_refusal(staff=row.staff, target=row.target):
        _end(session, row, Impersonation.EndReason.REVOKED)
        return None
    return row


def impersonation_stop(*, session: Any, user: Any) -> Impersonation | None:
    """Stop the session's "view as" (None when there was none)."""
    row = impersonation_current(session=session, user=user)
    if row is not None:
        _end(session, row, Impersonation.EndReason.STOPPED)
    return row


def _end(session: Any, row: Impersonation, reason: str) -> None:
    with transaction.atomic():
        ended = Impersonation.objects.filter(pk=row.pk, ended_at__isnull=True).update(
            ended_at=timezone.now(), end_reason=reason
        )
        if ended:
            _audit(row, SupportAction.IMPERSONATION_ENDED, {"why": reason})
    session.pop(SESSION_KEY, None)


def _audit(row: Impersonation, action: str, after: dict[str, Any]) -> None:
    """In every live workspace of the person viewed: staff as actor, the person as
    target (memberships through the user's reverse relation: support sits below
    tenancy and does not import it)."""
    memberships = row.target.memberships.filter(tenant__deleted_at__isnull=True).select_related(
        "tenant"
    )
    for membership in memberships:
        audit_record(
            tenant=membership.tenant,
            action=action,
            acting_user=row.staff,
            target=row.target,
            after=after,
        )
