"""Invitation pages: the panel on the members page (invite, resend, cancel) and the
public `/invites/<token>/` link with its sign-in / sign-up paths."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeGuard
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import verified_email_required
from accounts.models import User
from billing.exceptions import PlanLimitReached
from ratelimit.decorators import rate_limit
from tenants.decorators import tenant_permission_required
from tenants.exceptions import (
    InvitationEmailMismatchError,
    InvitationError,
    InvitationInvalidError,
    InvitationLinkError,
)
from tenants.forms_invitations import InvitationForm, InvitationSignUpForm
from tenants.invitations import (
    invitation_accept,
    invitation_assert_usable,
    invitation_cancel,
    invitation_for_token,
    invitation_get,
    invitation_list_open,
    invitation_resend,
)
from tenants.models import Invitation, Membership
from tenants.permissions import MEMBERS_INVITE, role_in_reach
from tenants.types import TenantRequest
from tenants.views._base import back, tenant_context

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

PANEL = "tenants/invites/_panel.html#invite-panel"


# --- The members page panel --------------------------------------------------------


def invite_panel(
    request: TenantRequest,
    *,
    form: InvitationForm | None = None,
    notice: str = "",
    error: str = "",
) -> dict[str, Any]:
    """What the members page needs for invitations: the form and the open invites.
    Empty for personal workspaces and for roles without `members.invite`."""
    if request.tenant.is_personal or not request.role.has_permission(MEMBERS_INVITE):
        return {"invite_form": None, "pending_invites": []}
    pending = invitation_list_open(tenant=request.tenant)
    for invite in pending:  # resend and cancel only what this role could have sent
        invite.actionable = role_in_reach(actor=request.role, role=invite.role)
    return {
        "invite_form": form or _form(request),
        "pending_invites": pending,
        "invite_notice": notice,
        "invite_error": error,
    }


def _form(request: TenantRequest, data: Any = None) -> InvitationForm:
    return InvitationForm(data, tenant=request.tenant, actor=request.role, user=request.user)


def _panel(request: TenantRequest, **panel: Any) -> HttpResponse:
    context = tenant_context(request, tab="members", **invite_panel(request, **panel))
    return render(request, PANEL, context)


@require_http_methods(["GET", "POST"])
@tenant_permission_required(MEMBERS_INVITE)
@verified_email_required
@rate_limit(tier="invite")
def invite_create(request: TenantRequest) -> HttpResponse:
    """Invite someone: htmx swaps the panel, a plain post redirects (or re-renders
    the members page with the form's errors)."""
    if request.method == "GET":
        return redirect(_members_url(request) + "#invite-panel")
    form = _form(request, request.POST)
    invitation = form.save() if form.is_valid() else None
    if invitation is not None:
        notice = f"Invitation sent to {invitation.email}. The link is valid for 7 days."
        if request.htmx:
            return _panel(request, notice=notice)
        messages.success(request, notice)
        return back(request, "members")
    if request.htmx:
        return _panel(request, form=form)
    from tenants.views.members import members_page  # members imports this module

    return members_page(request, invite_form=form)


@require_POST
@tenant_permission_required(MEMBERS_INVITE)
@verified_email_required
@rate_limit(tier="invite")
def invite_resend(request: TenantRequest, invitation_id: int) -> HttpResponse:
    invitation = invitation_get(tenant=request.tenant, invitation_id=invitation_id)
    return _act(
        request,
        lambda: invitation_resend(invitation=invitation, acting_user=request.user),
        success=f"A new invitation link was sent to {invitation.email}; the old one no "
        "longer works.",
    )


@require_POST
@tenant_permission_required(MEMBERS_INVITE)
def invite_cancel(request: TenantRequest, invitation_id: int) -> HttpResponse:
    invitation = invitation_get(tenant=request.tenant, invitation_id=invitation_id)
    return _act(
        request,
        lambda: invitation_cancel(invitation=invitation, acting_user=request.user),
        success=f"The invitation to {invitation.email} was cancelled; its link no longer works.",
    )


def _act(request: TenantRequest, action: Any, *, success: str) -> HttpResponse:
    error = ""
    try:
        action()
    except (InvitationError, PlanLimitReached) as exc:
        error = getattr(exc, "message", None) or str(exc)
    except PermissionDenied as exc:  # EscalationError: may not grant this role any more
        error = str(exc)
    if request.htmx:
        return _panel(request, notice="" if error else success, error=error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, success)
    return back(request, "members")


def _members_url(request: TenantRequest) -> str:
    return reverse("tenant:members", kwargs={"tenant_slug": request.tenant.slug})


# --- The public link ---------------------------------------------------------------


def _token_page(response: HttpResponse) -> HttpResponse:
    # The token is in the URL: send no Referer to other sites. "same-origin", not
    # "no-referrer", which makes browsers send `Origin: null` and fail CSRF on our forms.
    response["Referrer-Policy"] = "same-origin"
    return response


PROBLEM_STATUS = {
    "invalid": 404,
    "expired": 410,
    "cancelled": 410,
    "used": 410,
    "revoked": 410,
    "full": 409,
}


def _problem(
    request: HttpRequest, error: InvitationLinkError, invitation: Invitation | None
) -> HttpResponse:
    """One clear page per reason the link cannot be used (never a bare 404)."""
    member_here = (
        invitation is not None
        and not invitation.tenant.is_deleted
        and request.user.is_authenticated
        and Membership.objects.filter(tenant=invitation.tenant, user=request.user).exists()
    )
    context = {
        "reason": error.reason,
        "message": str(error),
        "invitation": invitation,
        "member_here": member_here,
    }
    response = render(
        request, "tenants/invites/problem.html", context, status=PROBLEM_STATUS[error.reason]
    )
    return _token_page(response)


def _usable(request: HttpRequest, token: str) -> Invitation | HttpResponse:
    """The invitation if its link can be used now, else the page explaining why."""
    try:
        invitation = invitation_for_token(raw=token)
    except InvitationInvalidError as error:
        return _problem(request, error, None)
    try:
        invitation_assert_usable(invitation)
    except InvitationLinkError as error:
        return _problem(request, error, invitation)
    return invitation


def _emails_match(user: User | AnonymousUser, invitation: Invitation) -> TypeGuard[User]:
    return bool(user.is_authenticated and user.email == invitation.email)


def _sign_in(request: HttpRequest, user: User) -> None:
    # As accounts.views does on every sign-in: a brand-new session token (no fixation).
    request.session.cycle_key()
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])


def _joined(request: HttpRequest, membership: Membership) -> HttpResponse:
    tenant = membership.tenant
    messages.success(request, f"Welcome to {tenant.name}! You joined as {membership.role.name}.")
    return redirect("tenant:dashboard", tenant_slug=tenant.slug)


@never_cache
@require_http_methods(["GET", "POST"])
def invite_accept(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows who invited whom to what and the way in; POST (signed in, matching
    address) joins. Joining never happens on GET: mail scanners open links."""
    found = _usable(request, token)
    if isinstance(found, HttpResponse):
        return found
    invitation = found
    user = request.user
    if request.method == "POST" and _emails_match(user, invitation):
        try:
            membership = invitation_accept(raw_token=token, user=user)
        except InvitationLinkError as error:
            return _problem(request, error, invitation)
        except InvitationEmailMismatchError:
            pass  # the address changed meanwhile: show the mismatch page below
        else:
            return _joined(request, membership)
    accept_url = reverse("invites:accept", args=[token])
    context = {
        "invitation": invitation,
        "tenant": invitation.tenant,
        "inviter": invitation.invited_by,
        "teams": list(invitation.teams.order_by("name")),
        "token": token,
        "state": _state(user, invitation),
        "already_member": user.is_authenticated
        and Membership.objects.filter(tenant=invitation.tenant, user=user).exists(),
        "account_exists": User.objects.filter(email=invitation.email).exists(),
        "sign_in_url": reverse("accounts:sign-in") + "?" + urlencode({"next": accept_url}),
        "sign_up_url": reverse("invites:sign-up", args=[token]),
    }
    status = 403 if context["state"] == "mismatch" else 200
    return _token_page(render(request, "tenants/invites/accept.html", context, status=status))


def _state(user: User | AnonymousUser, invitation: Invitation) -> str:
    if not user.is_authenticated:
        return "signed-out"
    return "confirm" if _emails_match(user, invitation) else "mismatch"


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def invite_sign_up(request: HttpRequest, token: str) -> HttpResponse:
    """Create the account for the invited address (locked) and join in one step."""
    found = _usable(request, token)
    if isinstance(found, HttpResponse):
        return found
    invitation = found
    accept_url = reverse("invites:accept", args=[token])
    if request.user.is_authenticated:
        return redirect(accept_url)
    if User.objects.filter(email=invitation.email).exists():
        messages.info(
            request, f"{invitation.email} already has an account. Sign in to accept the invitation."
        )
        return redirect(reverse("accounts:sign-in") + "?" + urlencode({"next": accept_url}))
    form = InvitationSignUpForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        try:
            membership = form.accept(raw_token=token)
        except InvitationLinkError as error:
            return _problem(request, error, invitation)
        _sign_in(request, membership.user)
        return _joined(request, membership)
    context = {
        "form": form,
        "invitation": invitation,
        "tenant": invitation.tenant,
        "inviter": invitation.invited_by,
        "accept_url": accept_url,
        "sign_in_url": reverse("accounts:sign-in") + "?" + urlencode({"next": accept_url}),
    }
    return _token_page(render(request, "tenants/invites/sign_up.html", context))


@require_POST
def invite_switch_account(request: HttpRequest, token: str) -> HttpResponse:
    """Signed in as someone else: sign out and come back to the invitation."""
    logout(request)
    return redirect("invites:accept", token=token)
