"""The members page: roles, contacts, removing members, leaving, and its invite panel
(invite, resend, cancel; the public invitation link is in invitations.py)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.decorators import verified_email_required
from core.decorators import tenant_permission_required
from core.errors import attempt, run_action
from core.exceptions import refusal_message
from core.members import member_can_act
from core.paging import page_number, page_query
from core.permissions import BILLING_MANAGE, MEMBERS_INVITE, MEMBERS_MANAGE
from core.types import TenantRequest
from core.views import tenant_context
from ratelimit.decorators import rate_limit
from tenants import services
from tenants.forms import MemberRoleForm
from tenants.forms_invitations import InvitationForm, grantable_roles
from tenants.invitations import (
    invitation_cancel,
    invitation_get,
    invitation_page_open,
    invitation_resend,
)
from tenants.models import Membership
from tenants.permissions import role_in_reach
from tenants.selectors import (
    ContactCounts,
    membership_get,
    membership_page,
    primary_contact_ids,
)
from tenants.views._base import back, organisation_only
from webhooks.selectors import endpoints_made_by


def _flag(request: TenantRequest, membership: Membership, counts: ContactCounts) -> Membership:
    """Per-row flags: the template shows controls only where an action is allowed, and
    disables with the reason those the services would refuse (their own rules)."""
    role = request.role
    membership.tenant = request.tenant  # the rules read it: no query per row
    in_reach = role_in_reach(actor=role, role=membership.role)
    org = request.tenant.is_org
    membership.is_me = membership.user_id == request.user.pk
    membership.manageable = (
        org and role.has_permission(MEMBERS_MANAGE) and not membership.is_me and in_reach
    )
    # Someone the directory or staff deactivated is offered neither contact role (the
    # services refuse it), but can still be taken off the billing contacts.
    active = member_can_act(membership)
    membership.primary_editable = (
        org
        and role.has_permission(MEMBERS_MANAGE)
        and services.primary_contact_refusal(
            membership=membership,
            # Owners reach every member, so whoever holds it now is not read for them.
            current=None if role.is_owner else counts.primary_contact,
            actor=role,
        )
        is None
    )
    membership.billing_editable = (
        org
        and role.has_permission(BILLING_MANAGE)
        and in_reach
        and (active or membership.is_billing_contact)
    )
    membership.remove_refusal = _reason(
        services.membership_departure_refusal(membership=membership, owners=counts.owners)
    )
    membership.billing_refusal = _reason(
        services.billing_contact_removal_refusal(
            membership=membership, contacts=counts.billing_contacts
        )
    )
    return membership


def _role_choices(request: TenantRequest) -> list[tuple[int, str, bool]]:
    """(id, label, is the owner role) of the roles the viewer may hand out, for each
    row's role select: labels are translated once per page, not once per row and role.
    An admin was offered Owner and Billing admin, refused on saving. A row's own role
    is always among them (a row is manageable only when its role is in reach). Choosing
    the owner role asks first (templates/tenants/members.html)."""
    roles = grantable_roles(tenant=request.tenant, actor=request.role)
    return [(role.pk, role.label, role.is_owner) for role in roles]


def _reason(refusal: Exception | None) -> str:
    return refusal_message(refusal) if refusal is not None else ""


# Rows per page: each row is a few forms, so an organisation of thousands (a directory
# sync) would otherwise be a page of megabytes that costs about a millisecond per member.
PAGE_SIZE = 50
# Open invitations shown a page at a time in the invite panel (`?invites=N`).
INVITES_PAGE_SIZE = 20


def _back_to_page(request: TenantRequest) -> HttpResponse:
    """After a row's form without JavaScript: the members page the form was on."""
    return redirect(_members_url(request) + page_query(request.POST.get("page")))


@organisation_only
def member_list(request: TenantRequest) -> HttpResponse:
    return members_page(request)


def members_page(request: TenantRequest, *, invite_form: Any = None) -> HttpResponse:
    """The members page; the invite view re-renders it with a rejected form. The rules
    behind each row's controls count the whole organisation, not the page shown."""
    page, counts = membership_page(
        tenant=request.tenant, number=request.GET.get("page"), per_page=PAGE_SIZE
    )
    memberships = [_flag(request, m, counts) for m in page.object_list]
    leave_refusal = services.membership_departure_refusal(
        membership=request.membership, owners=counts.owners
    )
    context = tenant_context(
        request,
        tab="members",
        memberships=memberships,
        page=page,
        role_choices=_role_choices(request),
        can_leave=request.tenant.is_org,
        leave_refusal=_reason(leave_refusal),
        **invite_panel(
            request,
            form=invite_form,
            invites_number=request.GET.get("invites"),
            members_number=str(page.number),
        ),
    )
    invites = context["invites_page"]
    context["members_keep"] = _keep("invites", invites.number if invites else 1)
    return render(request, "tenants/members.html", context)


def _keep(param: str, number: int) -> str:
    """What one list's page links carry of the other list's page number on the members
    page ("invites=3&"), so moving through one does not reset the other."""
    return f"{param}={number}&" if number > 1 else ""


def _row(
    request: TenantRequest,
    membership_id: int,
    error: str | None,
    *,
    removed: bool = False,
    also: Collection[int] = (),
) -> HttpResponse:
    """The htmx answer about one member row: the row (nothing once removed), and, swapped
    out of band, what the change may have enabled or disabled elsewhere: the rows of
    owners, contacts and `also` (e.g. the previous primary contact) on the page the
    form was sent from (its `page` field; rows on other pages are not in the browser),
    and the "Leave" card (the last-owner and contact rules decide what they offer)."""
    page, counts = membership_page(
        tenant=request.tenant, number=request.POST.get("page"), per_page=PAGE_SIZE
    )
    listed = list(page.object_list)
    me = _find(request, listed, request.membership.pk)  # as changed, not as loaded
    me.tenant = request.tenant
    context = tenant_context(
        request,
        tab="members",
        m=None if removed else _flag(request, _find(request, listed, membership_id), counts),
        removed=removed,
        page=page,
        related=[
            _flag(request, m, counts)
            for m in listed
            if m.pk != membership_id
            and (m.role.is_owner or m.is_billing_contact or m.is_primary_contact or m.pk in also)
        ],
        role_choices=_role_choices(request),
        row_error=error,
        can_leave=request.tenant.is_org,
        leave_refusal=_reason(
            services.membership_departure_refusal(membership=me, owners=counts.owners)
        ),
    )
    return render(request, "tenants/members.html#member-update", context)


def _answer(
    request: TenantRequest,
    membership_id: int,
    error: str | None,
    *,
    removed: bool = False,
    also: Collection[int] = (),
) -> HttpResponse:
    """`_row`, unless the member was removed meanwhile (another tab): then the row goes
    and the refusal ("… is no longer a member here") is said as a toast."""
    if error is not None and not (
        Membership.objects.for_tenant(request.tenant).filter(pk=membership_id).exists()
    ):
        messages.error(request, error)
        return _row(request, membership_id, None, removed=True)
    return _row(request, membership_id, error, removed=removed, also=also)


def _find(request: TenantRequest, listed: list[Membership], membership_id: int) -> Membership:
    """A member as this page listed it, else read again (404 once removed meanwhile)."""
    found = next((m for m in listed if m.pk == membership_id), None)
    if found is None:
        return membership_get(tenant=request.tenant, membership_id=membership_id)
    return found


@require_POST
@tenant_permission_required(MEMBERS_MANAGE)
def member_role(request: TenantRequest, membership_id: int) -> HttpResponse:
    membership = membership_get(tenant=request.tenant, membership_id=membership_id)
    form = MemberRoleForm(request.POST, tenant=request.tenant)
    if form.is_valid():
        role = form.cleaned_data["role"]
        error = run_action(
            request,
            lambda: services.membership_change_role(
                tenant=request.tenant, membership=membership, role=role, acting_user=request.user
            ),
            success=_("%(person)s is now %(role)s.")
            % {"person": membership.user.name or membership.user.email, "role": role.label},
        ).error
    else:
        error = str(form.errors["role"][0])  # the message (ErrorList.__getitem__)
        if not request.htmx:
            messages.error(request, error)
    if request.htmx:
        return _answer(request, membership_id, error)
    return _back_to_page(request)


@require_POST
@tenant_permission_required(MEMBERS_MANAGE)
def member_remove(request: TenantRequest, membership_id: int) -> HttpResponse:
    membership = membership_get(tenant=request.tenant, membership_id=membership_id)
    error = run_action(
        request,
        lambda: services.membership_remove(
            tenant=request.tenant, membership=membership, acting_user=request.user
        ),
        success=_("%(email)s was removed from %(name)s.")
        % {"email": membership.user.email, "name": request.tenant.name},
    ).error
    endpoints = 0 if error else endpoints_made_by(tenant=request.tenant, user_id=membership.user_id)
    if endpoints:
        # A warning, which stays until dismissed: a success toast was gone in seconds.
        messages.warning(
            request,
            ngettext(
                "The webhook endpoint they added still receives this organisation's events: "
                "check on the Webhooks page that it should.",
                "The %(count)d webhook endpoints they added still receive this organisation's "
                "events: check on the Webhooks page that they should.",
                endpoints,
            )
            % {"count": endpoints},
        )
    if request.htmx:
        return _answer(request, membership_id, error, removed=error is None)
    return _back_to_page(request)


@require_POST
@tenant_permission_required(MEMBERS_MANAGE)
def member_primary(request: TenantRequest, membership_id: int) -> HttpResponse:
    membership = membership_get(tenant=request.tenant, membership_id=membership_id)
    previous = primary_contact_ids(tenant=request.tenant)
    error = run_action(
        request,
        lambda: services.membership_set_primary_contact(
            tenant=request.tenant, membership=membership, acting_user=request.user
        ),
        success=_("%(email)s is now the primary contact.") % {"email": membership.user.email},
    ).error
    if request.htmx:
        return _answer(request, membership_id, error, also=previous)
    return _back_to_page(request)


@require_POST
@tenant_permission_required(BILLING_MANAGE)
def member_billing(request: TenantRequest, membership_id: int) -> HttpResponse:
    membership = membership_get(tenant=request.tenant, membership_id=membership_id)
    value = request.POST.get("is_billing_contact") == "on"
    error = run_action(
        request,
        lambda: services.membership_set_billing_contact(
            tenant=request.tenant,
            membership=membership,
            is_billing_contact=value,
            acting_user=request.user,
        ),
        success=(
            _("%(email)s is now a billing contact.")
            if value
            else _("%(email)s is no longer a billing contact.")
        )
        % {"email": membership.user.email},
    ).error
    if request.htmx:
        return _answer(request, membership_id, error)
    return _back_to_page(request)


@require_POST
def member_leave(request: TenantRequest) -> HttpResponse:
    """Any member may leave (not the last owner, the primary contact, or a personal tenant)."""
    tenant = request.tenant
    outcome = attempt(
        lambda: services.membership_leave(tenant=tenant, membership=request.membership)
    )
    # Flashed for htmx too: the page is replaced by a redirect either way.
    if outcome.error is not None:
        messages.error(request, outcome.error)
        target = reverse("tenant:members", kwargs={"tenant_slug": tenant.slug})
    else:
        messages.success(request, _("You left %(name)s.") % {"name": tenant.name})
        request.session.pop("active_tenant_id", None)
        target = reverse("workspaces:list")
    if request.htmx:
        return HttpResponseClientRedirect(target)
    return redirect(target)


PANEL = "tenants/invites/_panel.html#invite-panel"


# --- The members page panel --------------------------------------------------------


def invite_panel(
    request: TenantRequest,
    *,
    form: InvitationForm | None = None,
    error: str = "",
    invites_number: str | None = None,
    members_number: str | None = None,
) -> dict[str, Any]:
    """What the members page needs for invitations: the form and a page of the open
    invites (`invites_number`; the members list's own page is `members_number`, kept
    by the panel's links and forms). Empty for personal workspaces and for roles
    without `members.invite`."""
    if request.tenant.is_personal or not request.role.has_permission(MEMBERS_INVITE):
        return {"invite_form": None, "pending_invites": [], "invites_page": None}
    invites = invitation_page_open(
        tenant=request.tenant, number=invites_number, per_page=INVITES_PAGE_SIZE
    )
    pending = list(invites.object_list)
    for invite in pending:  # resend and cancel only what this role could have sent
        invite.actionable = role_in_reach(actor=request.role, role=invite.role)
    members_page = page_number(members_number)
    return {
        "invite_form": form or _form(request),
        "pending_invites": pending,
        "invites_page": invites,
        "members_page_number": members_page,
        "invites_keep": _keep("page", members_page),
        "invite_error": error,
    }


def _form(request: TenantRequest, data: Any = None) -> InvitationForm:
    return InvitationForm(data, tenant=request.tenant, actor=request.role, user=request.user)


def _panel(request: TenantRequest, **panel: Any) -> HttpResponse:
    """The panel for htmx, at the pages its form was sent from (`invites`, `page`)."""
    panel.setdefault("invites_number", request.POST.get("invites"))
    context = tenant_context(
        request,
        tab="members",
        **invite_panel(request, members_number=request.POST.get("page"), **panel),
    )
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
        notice = _("Invitation sent to %(email)s. The link is valid for 7 days.") % {
            "email": invitation.email
        }
        # Said in the page's toast region, there from its load (an htmx answer's messages
        # become toasts, core.htmx): a note inside the swapped panel was often not read out.
        messages.success(request, notice)
        if request.htmx:  # the newest invitation: on the first page
            return _panel(request, invites_number=None)
        return back(request, "members")
    if request.htmx:
        return _panel(request, form=form)
    return members_page(request, invite_form=form)


@require_POST
@tenant_permission_required(MEMBERS_INVITE)
@verified_email_required
@rate_limit(tier="invite")
def invite_resend(request: TenantRequest, invitation_id: int) -> HttpResponse:
    invitation = invitation_get(tenant=request.tenant, invitation_id=invitation_id)
    return _act(
        request,
        lambda: invitation_resend(
            tenant=request.tenant, invitation=invitation, acting_user=request.user
        ),
        success=_("A new invitation link was sent to %(email)s; the old one no longer works.")
        % {"email": invitation.email},
    )


@require_POST
@tenant_permission_required(MEMBERS_INVITE)
def invite_cancel(request: TenantRequest, invitation_id: int) -> HttpResponse:
    invitation = invitation_get(tenant=request.tenant, invitation_id=invitation_id)
    return _act(
        request,
        lambda: invitation_cancel(
            tenant=request.tenant, invitation=invitation, acting_user=request.user
        ),
        success=_("The invitation to %(email)s was cancelled; its link no longer works.")
        % {"email": invitation.email},
    )


def _act(request: TenantRequest, action: Any, *, success: str) -> HttpResponse:
    # The success is a toast (its region is there from the page's load, so it is read
    # out); a refusal is said in the panel, beside what it refuses.
    error = run_action(request, action, success=success).error
    if request.htmx:
        return _panel(request, error=error or "")
    return redirect(_members_url(request) + _panel_query(request) + "#invite-panel")


def _panel_query(request: TenantRequest) -> str:
    """`?page=2&invites=3`: a plain post from the panel comes back to both lists' pages."""
    query = "".join(
        _keep(param, page_number(request.POST.get(param))) for param in ("page", "invites")
    )
    return f"?{query.rstrip('&')}" if query else ""


def _members_url(request: TenantRequest) -> str:
    return reverse("tenant:members", kwargs={"tenant_slug": request.tenant.slug})
