"""The public `/invites/<token>/` link with its sign-in / sign-up paths (the invite
panel of the members page is in tenants/views/members.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeGuard
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import session_sign_in
from accounts.models import User
from core.cache_headers import never_cache
from core.exceptions import DomainError
from tenants.exceptions import (
    InvitationEmailMismatchError,
    InvitationInvalidError,
    InvitationLinkError,
)
from tenants.forms_invitations import InvitationSignUpForm
from tenants.invitations import (
    invitation_accept,
    invitation_accept_waiting,
    invitation_account_exists,
    invitation_already_member,
    invitation_assert_usable,
    invitation_decline,
    invitation_decline_waiting,
    invitation_for_token,
    invitation_inviter_refusal,
    invitation_seat_refusal,
    invitation_teams,
)
from tenants.models import Invitation, Membership

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from core.types import AuthenticatedRequest

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
    "declined": 410,
    "used": 410,
    "revoked": 410,
    "full": 409,
}


def _problem(
    request: HttpRequest, error: InvitationLinkError, invitation: Invitation | None
) -> HttpResponse:
    """One clear page per reason the link cannot be used (never a bare 404)."""
    member_here = invitation is not None and invitation_already_member(
        invitation=invitation, user=request.user
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
    # An inviter who may no longer let people in, or a full workspace, says so at the
    # door, not after the sign-up form was filled in.
    if not invitation_already_member(invitation=invitation, user=request.user) and (
        refusal := invitation_inviter_refusal(invitation=invitation)
        or invitation_seat_refusal(invitation=invitation)
    ):
        return _problem(request, refusal, invitation)
    return invitation


def _emails_match(user: User | AnonymousUser, invitation: Invitation) -> TypeGuard[User]:
    return bool(user.is_authenticated and user.email == invitation.email)


def _joined(request: HttpRequest, membership: Membership) -> HttpResponse:
    tenant = membership.tenant
    messages.success(
        request,
        _("Welcome to %(name)s! You joined as %(role)s.")
        % {"name": tenant.name, "role": membership.role.label},
    )
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
        "teams": invitation_teams(invitation=invitation),
        "token": token,
        "state": _state(user, invitation),
        "already_member": invitation_already_member(invitation=invitation, user=user),
        "account_exists": invitation_account_exists(invitation=invitation),
        "sign_in_url": _sign_in_url(invitation, accept_url),
        "sign_up_url": reverse("invites:sign-up", args=[token]),
    }
    status = 403 if context["state"] == "mismatch" else 200
    return _token_page(render(request, "tenants/invites/accept.html", context, status=status))


@require_POST
def invite_decline(request: HttpRequest, token: str) -> HttpResponse:
    """The invitee says no (signed out, or signed in as the invited address) and reads
    that it is done; the link, opened again, says it was declined. A link that can no
    longer be used, or someone signed in as another address, is sent back to it."""
    user = request.user if request.user.is_authenticated else None
    try:
        invitation = invitation_decline(raw_token=token, user=user)
    except (InvitationLinkError, InvitationEmailMismatchError):
        return redirect("invites:accept", token=token)
    context = {"tenant": invitation.tenant, "inviter": invitation.invited_by}
    return _token_page(render(request, "tenants/invites/declined.html", context))


def _sign_in_url(invitation: Invitation, accept_url: str) -> str:
    """Sign-in with the invited address filled in, back to the invitation after."""
    query = urlencode({"next": accept_url, "email": invitation.email})
    return f"{reverse('accounts:sign-in')}?{query}"


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
    if invitation_account_exists(invitation=invitation):
        messages.info(
            request,
            _("%(email)s already has an account. Sign in to accept the invitation.")
            % {"email": invitation.email},
        )
        return redirect(_sign_in_url(invitation, accept_url))
    form = InvitationSignUpForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        try:
            membership = form.accept(raw_token=token)
        except InvitationLinkError as error:
            return _problem(request, error, invitation)
        session_sign_in(request, membership.user)
        return _joined(request, membership)
    context = {
        "form": form,
        "invitation": invitation,
        "tenant": invitation.tenant,
        "inviter": invitation.invited_by,
        "accept_url": accept_url,
        "sign_in_url": _sign_in_url(invitation, accept_url),
    }
    return _token_page(render(request, "tenants/invites/sign_up.html", context))


@require_POST
def invite_switch_account(request: HttpRequest, token: str) -> HttpResponse:
    """Signed in as someone else: sign out and come back to the invitation."""
    logout(request)
    return redirect("invites:accept", token=token)


# --- Invitations waiting on the workspaces page --------------------------------------


@login_required
@require_POST
def invitation_accept_listed(request: AuthenticatedRequest, invitation_id: int) -> HttpResponse:
    """Join from the workspaces page, for someone who signed up or in without the
    emailed link (tenants/views/account.py lists what is waiting for them)."""
    try:
        membership = invitation_accept_waiting(invitation_id=invitation_id, user=request.user)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("workspaces:list")
    return _joined(request, membership)


@login_required
@require_POST
def invitation_decline_listed(request: AuthenticatedRequest, invitation_id: int) -> HttpResponse:
    """Decline from the workspaces page, as `invitation_accept_listed` joins."""
    try:
        invitation = invitation_decline_waiting(invitation_id=invitation_id, user=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("You declined the invitation to %(name)s.") % {"name": invitation.tenant.name},
        )
    return redirect("workspaces:list")
