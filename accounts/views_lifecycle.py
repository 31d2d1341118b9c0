"""Deleting one's account and downloading one's data (/account/delete/, /account/export/)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from accounts.exceptions import LastOwnerOfOrgsError
from accounts.forms import PasswordField, ask_password_only_if_set
from accounts.services_lifecycle import account_delete, account_deletion_blockers, account_export
from accounts.services_security import current_password_check
from core.cache_headers import never_cache
from core.replica import replica_alias
from mfa.decorators import reauth_required

if TYPE_CHECKING:
    from accounts.models import User
    from core.types import AuthenticatedRequest


class AccountDeleteForm(forms.Form):
    password = PasswordField(label=gettext_lazy("Your password"), autocomplete="current-password")
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand that this cannot be undone from here."),
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
@reauth_required
@require_http_methods(["GET", "POST"])
def delete(request: AuthenticatedRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST or None, user=request.user)
    blocking = account_deletion_blockers(user=request.user)
    if request.method == "POST" and form.is_valid() and not blocking:
        try:
            account_delete(user=request.user)
        except LastOwnerOfOrgsError as error:  # an org changed hands meanwhile
            form.add_error(None, str(error))
        else:
            logout(request)
            messages.success(request, _("Your account was deleted. We're sorry to see you go."))
            return redirect("home")
    status = 400 if form.is_bound and (form.errors or blocking) else 200
    return render(
        request,
        "accounts/delete.html",
        {"form": form, "blocking": blocking, "active": "delete"},
        status=status,
    )


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
