"""Deleting one's account and downloading one's data (/account/delete/, /account/export/)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from accounts.exceptions import LastOwnerOfOrgsError
from accounts.forms import PasswordField, ask_password_only_if_set
from accounts.http import password_in_post
from accounts.services_lifecycle import account_delete, account_deletion_blockers, account_export
from accounts.services_security import current_password_check
from core.cache_headers import never_cache
from core.replica import replica_alias
from mfa.decorators import reauth_required, reauth_url
from mfa.reauth import reauth_is_recent

if TYPE_CHECKING:
    from accounts.models import User
    from core.types import AuthenticatedRequest


class AccountDeleteForm(forms.Form):
    password = PasswordField(label=gettext_lazy("Your password"), autocomplete="current-password")
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand that I cannot undo this myself."),
        error_messages={"required": gettext_lazy("Tick the box to confirm.")},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        ask_password_only_if_set(self, field="password", user=user)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        current_password_check(user=self.user, password=password)
        return password


@sensitive_post_parameters("password")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def delete(request: AuthenticatedRequest) -> HttpResponse:
    """The "Your data" tab. Looking needs no more than being signed in; deleting and
    downloading ask for a recent confirmation (`reauth_required`), so the page links
    the download through the prompt when that has lapsed."""
    if request.method == "POST":
        return _delete(request)
    blocking = account_deletion_blockers(user=request.user)
    return _page(request, AccountDeleteForm(user=request.user), blocking=blocking)


@reauth_required(proof=password_in_post("password"))
def _delete(request: AuthenticatedRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST, user=request.user)
    blocking = account_deletion_blockers(user=request.user)
    if form.is_valid() and not blocking:
        try:
            account_delete(user=request.user)
        except LastOwnerOfOrgsError as error:  # an org changed hands meanwhile
            form.add_error(None, str(error))
        else:
            logout(request)
            messages.success(request, _("Your account was deleted. We're sorry to see you go."))
            return redirect("home")
    return _page(request, form, blocking=blocking, status=400)


def _page(
    request: AuthenticatedRequest,
    form: AccountDeleteForm,
    *,
    blocking: list[Any],
    status: int = 200,
) -> HttpResponse:
    # A download cannot come back from the prompt: confirm first, then download.
    export_ready = reauth_is_recent(request.session)
    context = {
        "form": form,
        "blocking": blocking,
        "active": "delete",
        "export_ready": export_ready,
        "files_kept_days": settings.UPLOADS_DELETED_WORKSPACE_DAYS,
        "email_kept_days": settings.ACCOUNTS_DELETION_GRACE_DAYS,
        "export_url": reverse("accounts:export")
        if export_ready
        else reauth_url(reverse("accounts:delete") + "#export"),
    }
    return render(request, "accounts/delete.html", context, status=status)


@never_cache
@login_required
@reauth_required
@require_GET
def export(request: AuthenticatedRequest) -> HttpResponse:
    data = account_export(user=request.user, using=replica_alias(request))
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="pacetrack-data-{stamp}.json"'
    return response
