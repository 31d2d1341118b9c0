"""The "Your devices" page: list my sessions, sign one out, or all the others.

Each action answers an htmx request with the list partial and a plain POST
with a redirect, so the page works without JavaScript.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from core.cache_headers import never_cache
from sessions_app.models import Session
from sessions_app.selectors import session_get, session_list_over_limit, session_rows
from sessions_app.services import (
    session_revoke,
    session_revoke_all_for_user,
    session_revoke_without_second_step,
)

if TYPE_CHECKING:
    from core.types import AuthenticatedRequest as AuthRequest


LIMIT_NOTICE_FOR = timedelta(days=7)


# Reversed once per page with this id, then filled in per row: `{% url %}` twice per
# device was a fifth of the page (bench/page_cpu.py).
_PK_PLACEHOLDER = 2_147_483_647


def _revoke_url(pk: int, *, pattern: str) -> str:
    return pattern.replace(str(_PK_PLACEHOLDER), str(pk), 1)


def _render_list(request: AuthRequest, *, status: int = 200) -> HttpResponse:
    current = request.session.row
    now = timezone.now()
    sessions = session_rows(user=request.user, now=now)
    # Activity is recorded at most every SESSIONS_ACTIVITY_INTERVAL, so anything
    # inside that window is "just now" rather than a misleading "0 minutes ago".
    recent_since = now - timedelta(seconds=settings.SESSIONS_ACTIVITY_INTERVAL)
    pattern = reverse("sessions:revoke", args=[_PK_PLACEHOLDER])
    current_id = current.pk if current is not None else None
    for s in sessions:
        s.is_current = s.pk == current_id
        s.active_recently = s.last_activity_at >= recent_since
        s.revoke_url = _revoke_url(s.pk, pattern=pattern)
        s.signed_in_with = " + ".join(s.factors)  # "Password + Authenticator app"
    context = {
        "sessions": sessions,
        "current_id": current_id,
        "others_count": sum(1 for s in sessions if current is None or s.pk != current.pk),
        "session_limit": settings.SESSIONS_MAX_PER_USER,
        "signed_out_by_limit": _signed_out_by_limit(request),
    }
    template = "sessions_app/list.html#session-list" if request.htmx else "sessions_app/list.html"
    return render(request, template, context, status=status)


def _signed_out_by_limit(request: AuthRequest) -> list[Session]:
    """Devices a sign-in signed out to keep within SESSIONS_MAX_PER_USER while this
    device has been signed in (and in the last week), so the user learns which."""
    current = request.session.row
    if not settings.SESSIONS_MAX_PER_USER or current is None:
        return []
    since = max(current.created_at, timezone.now() - LIMIT_NOTICE_FOR)
    return session_list_over_limit(user=request.user, since=since)


@login_required
@never_cache
@require_GET
def list_sessions(request: AuthRequest) -> HttpResponse:
    return _render_list(request)


@login_required
@require_POST
def revoke(request: AuthRequest, pk: int) -> HttpResponse:
    """Sign out one of my sessions; it is refused on that device's next request."""
    session = session_get(user=request.user, pk=pk)
    current = request.session.row
    if current is not None and session.pk == current.pk:
        # "Sign out" on this very device is an ordinary sign-out.
        logout(request)
        messages.info(request, _("You have been signed out."))
        if request.htmx:
            return HttpResponseClientRedirect(reverse("accounts:sign-in"))
        return redirect("accounts:sign-in")
    session_revoke(
        session=session, reason=Session.RevokedReason.REVOKED_BY_USER, acting_user=request.user
    )
    notice = (
        _("Signed out %(device)s.") % {"device": session.device_said}
        if session.device
        else _("Signed out the device.")
    )
    # Said in the page's toast region, there from its load (an htmx answer's messages
    # become toasts, core.htmx): a note inside the swapped list was often not read out.
    messages.success(request, notice)
    if request.htmx:
        return _render_list(request)
    return redirect("sessions:list")


@login_required
@require_POST
def revoke_others(request: AuthRequest) -> HttpResponse:
    """Sign out every session of mine except this one."""
    count = session_revoke_all_for_user(
        user=request.user,
        reason=Session.RevokedReason.REVOKED_BY_USER,
        except_session=request.session.row,
        acting_user=request.user,
    )
    notice = (
        ngettext("Signed out %(count)s other device.", "Signed out %(count)s other devices.", count)
        % {"count": count}
        if count
        else _("No other devices were signed in.")
    )
    messages.success(request, notice)
    if request.htmx:
        return _render_list(request)
    return redirect("sessions:list")


@login_required
@require_POST
def revoke_without_second_step(request: AuthRequest) -> HttpResponse:
    """Sign out my other devices that signed in without two-factor (offered on the
    security page once it is on); the security page says how many."""
    count = session_revoke_without_second_step(
        user=request.user, except_session=request.session.row
    )
    notice = (
        ngettext(
            "Signed out %(count)s device that signed in without two-factor authentication.",
            "Signed out %(count)s devices that signed in without two-factor authentication.",
            count,
        )
        % {"count": count}
        if count
        else _("Every other device already signed in with two-factor authentication.")
    )
    messages.success(request, notice)
    return redirect("mfa:security")
