"""The admin side of support: the "view as" page (with its required reason) reached from
a user's row or change page, and the read-only record of every "view as"."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.validators import MaxValueValidator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from core.admin import ReadOnlyAdmin
from core.exceptions import refusal_message
from support.exceptions import ImpersonationRefused
from support.models import Impersonation
from support.services import REASON_MIN_LENGTH, impersonation_refusal, impersonation_start


class ViewAsForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=REASON_MIN_LENGTH,
        label=gettext_lazy("Reason"),
        help_text=gettext_lazy(
            "The ticket, or what the person asked for. It is written to their audit log."
        ),
    )
    minutes = forms.IntegerField(
        label=gettext_lazy("Minutes"),
        min_value=1,
        required=False,
        help_text=gettext_lazy("Minutes (at most the limit)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # More than the limit is refused, not quietly cut down to it: staff would think
        # they had the time they asked for. Read here so a changed setting applies.
        limit = settings.SUPPORT_IMPERSONATION_MINUTES
        field = self.fields["minutes"]
        field.widget.attrs["max"] = str(limit)
        field.validators.append(
            MaxValueValidator(
                limit,
                message=ngettext_lazy(
                    "At most %(limit_value)s minute: the limit for viewing as someone.",
                    "At most %(limit_value)s minutes: the limit for viewing as someone.",
                    "limit_value",
                ),
            )
        )


def view_as(request: HttpRequest, user_id: int) -> HttpResponse:
    """GET: the form (or why it is refused); POST: start, and open the app as them."""
    target = get_object_or_404(get_user_model(), pk=user_id)
    refusal = impersonation_refusal(staff=request.user, target=target)  # type: ignore[arg-type]
    form = ViewAsForm(request.POST or None)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            impersonation_start(
                session=request.session,
                staff=request.user,  # type: ignore[arg-type]
                target=target,
                reason=form.cleaned_data["reason"],
                minutes=form.cleaned_data["minutes"],
            )
        except ImpersonationRefused as exc:
            refusal = refusal_message(exc)
        else:
            return HttpResponseRedirect(reverse("workspaces:app"))
    context = {
        **admin.site.each_context(request),
        "title": _("View as %(email)s") % {"email": target.email},
        "target": target,
        "form": form,
        "refusal": refusal,
        "limit": settings.SUPPORT_IMPERSONATION_MINUTES,
    }
    return render(request, "admin/support/view_as.html", context, status=403 if refusal else 200)


@admin.register(Impersonation)
class ImpersonationAdmin(ReadOnlyAdmin):
    """Read-only: rows are written by starting and stopping a "view as"."""

    list_display = ("staff", "target", "started_at", "expires_at", "ended_at", "end_reason")
    list_filter = ("end_reason",)
    search_fields = ("staff__email", "target__email", "reason")
    raw_id_fields = ("staff", "target")
    readonly_fields = (
        "staff",
        "target",
        "reason",
        "started_at",
        "expires_at",
        "ended_at",
        "end_reason",
    )


@admin.action(description=gettext_lazy("View as this user (support)"), permissions=["impersonate"])
def view_as_action(model_admin: Any, request: HttpRequest, queryset: Any) -> HttpResponse | None:
    """From the users list: one person at a time, through the page that asks why."""
    if queryset.count() != 1:
        model_admin.message_user(request, _("Choose exactly one user to view as."), messages.ERROR)
        return None
    return HttpResponseRedirect(reverse("admin:support-view-as", args=[queryset.get().pk]))
