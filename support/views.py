"""Stopping a "view as" (starting one is an admin page: support/admin.py)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from support.services import impersonation_stop


@require_POST
def stop(request: HttpRequest) -> HttpResponse:
    """The banner's "Stop" button: back to the admin page of the person viewed."""
    staff = getattr(request, "impersonator", None) or request.user
    row = impersonation_stop(session=request.session, user=staff)
    if row is None:
        return redirect("/")
    messages.success(request, _("You stopped viewing as %(email)s.") % {"email": row.target.email})
    return redirect(reverse("admin:accounts_user_change", args=[row.target_id]))
