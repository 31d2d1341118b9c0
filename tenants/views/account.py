"""Pages outside any tenant: /app/ and the user's list of workspaces."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.decorators import verified_email_required
from billing.plans import plan_for_account
from core.sent_once import sent_once
from tenants.forms import OrgCreateForm
from tenants.invitations import invitations_waiting_for
from tenants.selectors import membership_for_app, membership_list_for_user_with_counts
from tenants.services import personal_workspace_ensure

if TYPE_CHECKING:
    from core.types import AuthenticatedRequest


@login_required
def app(request: AuthenticatedRequest) -> HttpResponse:
    """Send the user to the workspace they worked in last (sign-in lands here too)."""
    membership = membership_for_app(user=request.user)
    if membership is not None:
        return redirect("tenant:dashboard", tenant_slug=membership.tenant.slug)
    # Only users created outside sign-up (the admin, a shell) lack a personal tenant.
    if request.user.is_staff:
        return redirect("admin:index")
    personal = personal_workspace_ensure(user=request.user)
    if personal is None:
        raise Http404("Your personal workspace was deleted with your account.")
    return redirect("tenant:dashboard", tenant_slug=personal.slug)


@login_required
def tenant_list(request: AuthenticatedRequest) -> HttpResponse:
    """All my workspaces with my role in each and the plan in force there (the plan's
    name in the reader's language, Free once a subscription has ended); open one to
    switch to it. Above them, invitations to my address that I have not taken up."""
    memberships = membership_list_for_user_with_counts(user=request.user)
    return render(
        request,
        "tenants/tenant_list.html",
        {
            "rows": [(m, plan_for_account(m.tenant.account)) for m in memberships],
            "active_tenant_id": request.session.get("active_tenant_id"),
            "invitations": invitations_waiting_for(user=request.user),
        },
    )


@login_required
@verified_email_required
@sent_once(
    lambda request: reverse("workspaces:list"),
    # Back to the filled-in form and "Create organisation" again: a second one of the
    # same name, told apart nowhere. The repeat opens the one the form made.
    said=gettext_lazy("That form was sent already, so no second organisation was made."),
)
def org_create(request: AuthenticatedRequest) -> HttpResponse:
    form = OrgCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        tenant = form.save()
        if tenant is not None:
            messages.success(
                request, _("%(name)s is ready. You are its owner.") % {"name": tenant.name}
            )
            return redirect("tenant:dashboard", tenant_slug=tenant.slug)
    status = 400 if form.is_bound else 200  # refused: the same form may be sent again
    return render(request, "tenants/org_create.html", {"form": form}, status=status)
