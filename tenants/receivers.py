"""Tenancy's answers to an account's life (accounts/signals.py): a few lines each,
calling a service or a selector, inside the account service's transaction."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Q
from django.http import HttpRequest
from django.urls import Resolver404, ResolverMatch, resolve
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.audit import AccountAction
from accounts.models import User
from accounts.services_lifecycle import iso_or_none
from billing.services import account_customer_email_sync_enqueue
from core.audit import audit_record
from tenants import services
from tenants.exceptions import MemberGoneError
from tenants.invitations import invitations_waiting_for
from tenants.models import Invitation, Membership, Tenant
from tenants.selectors import orgs_blocking_deletion, orgs_requiring_two_factor
from tenants.services.two_factor import member_two_factor_changed


def on_two_factor_removal_check(sender: Any, user: User, **kwargs: Any) -> list[str]:
    """The organisations that require two-factor authentication keep a member's last method."""
    return list(orgs_requiring_two_factor(user=user))


def on_two_factor_state_changed(sender: Any, user: User, enabled: bool, **kwargs: Any) -> None:
    """A member's enrolment (or reset) is audited where two-factor is required."""
    member_two_factor_changed(user=user, enabled=enabled)


def on_signed_in(*, user: User, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """user_logged_in: someone who came in without the emailed link hears that an
    organisation invited them (the workspaces page lists it, with a Join button).
    Not on the way to an invitation link, whose page already shows it."""
    if request is None or _towards_invitation_link(request):
        return
    waiting = invitations_waiting_for(user=user)
    if not waiting:
        return
    # Sent before this request switched to the person's language (the browser's so far).
    with translation.override(user.language or translation.get_language()):
        text = _waiting_text(waiting)
    # messages.html gives this one a button to the workspaces page. Silent for a request
    # without messages (the test client's force_login).
    messages.info(request, text, extra_tags="see-invitations", fail_silently=True)


def _waiting_text(waiting: list[Invitation]) -> str:
    if len(waiting) == 1:
        return _("%(name)s invited you to join as %(role)s.") % {
            "name": waiting[0].tenant.name,
            "role": waiting[0].role.label,
        }
    return ngettext(
        "%(count)d organisation invited you to join.",
        "%(count)d organisations invited you to join.",
        len(waiting),
    ) % {"count": len(waiting)}


def _towards_invitation_link(request: HttpRequest) -> bool:
    target = request.POST.get("next") or request.GET.get("next") or request.path
    match = _resolve_or_none(urlsplit(target).path)
    return match is not None and match.namespace == "invites"


def _resolve_or_none(path: str) -> ResolverMatch | None:
    try:
        return resolve(path)
    except Resolver404:
        return None


def on_user_signed_up(sender: Any, user: User, **kwargs: Any) -> None:
    """A new person gets their personal workspace, in the sign-up's transaction."""
    services.tenant_create_personal(user=user)


def on_email_changed(sender: Any, user: User, **kwargs: Any) -> None:
    """Stripe kept sending receipts and failed-payment reminders to the contact's old
    address (one they may no longer control): each workspace the person is a billing
    or primary contact of tells it the addresses as they are now."""
    memberships = Membership.objects.filter(
        user=user, tenant__deleted_at__isnull=True, suspended_at__isnull=True
    ).filter(Q(is_billing_contact=True) | Q(is_primary_contact=True))
    for membership in memberships.select_related("tenant__account"):
        account_customer_email_sync_enqueue(tenant=membership.tenant)


def on_account_deletion_check(sender: Any, user: User, **kwargs: Any) -> list[Tenant]:
    """The live orgs the person is the only owner of block the deletion."""
    return orgs_blocking_deletion(user=user)


def on_account_deactivating(sender: Any, user: User, **kwargs: Any) -> None:
    """Staff deactivated the person: in each live org their contact roles pass to an
    owner who can act, as when the directory suspends them. They keep their membership
    (and seat) until they are removed or the account deleted."""
    memberships = Membership.objects.filter(
        user=user, tenant__kind=Tenant.Kind.ORG, tenant__deleted_at__isnull=True
    )
    # In tenant order: two deactivations of people in the same organisations take their
    # locks in one order (in any order, they could deadlock).
    for membership in memberships.select_related("tenant", "role", "user").order_by("tenant_id"):
        try:
            services.membership_contacts_hand_over(membership=membership)
        except MemberGoneError:  # removed since the list was read: nothing to hand over
            continue


def on_account_deleting(sender: Any, user: User, **kwargs: Any) -> None:
    """Leave every live org through the services (seat counts follow), then soft-delete
    the personal workspace and log the deletion there. Organisations already deleted are
    left as they are: there is nobody to hand over to, and their last owner (whom the
    deletion page told to delete them first) could not "leave" them."""
    memberships = Membership.objects.filter(
        user=user, tenant__kind=Tenant.Kind.ORG, tenant__deleted_at__isnull=True
    )
    for membership in memberships.select_related("tenant", "role", "user").order_by("tenant_id"):
        if membership.is_primary_contact:
            services.primary_contact_hand_over(membership=membership)
        try:
            services.membership_leave(
                tenant=membership.tenant, membership=membership, account_deleted=True
            )
        except MemberGoneError:  # removed since the list was read: already gone
            continue
    personal = Tenant.objects.filter(personal_owner=user).first()
    if personal is not None and not personal.is_deleted:
        personal.deleted_at = timezone.now()
        personal.save(update_fields=["deleted_at", "updated_at"])
        audit_record(
            tenant=personal,
            action=AccountAction.DELETED,
            acting_user=user,
            target=user,
            before={"email": user.email},
        )


def on_account_export_requested(
    sender: Any, user: User, using: str = DEFAULT_DB_ALIAS, **kwargs: Any
) -> dict[str, Any]:
    """The person's memberships, for their data export."""
    memberships = Membership.objects.using(using).filter(user=user).select_related("tenant", "role")
    return {
        "memberships": [
            {
                "workspace": m.tenant.name,
                "slug": m.tenant.slug,
                "kind": m.tenant.kind,
                "role": m.role.name,
                "primary_contact": m.is_primary_contact,
                "billing_contact": m.is_billing_contact,
                "joined_at": iso_or_none(m.joined_at),
            }
            for m in memberships
        ]
    }
