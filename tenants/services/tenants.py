"""Creating, renaming, re-slugging, deleting tenants and transferring ownership."""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta
from typing import TYPE_CHECKING

from anyascii import anyascii
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone, translation
from django.utils.crypto import get_random_string
from django.utils.html import strip_tags
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.mail import email_enqueue
from accounts.mail_delivery import absolute_url
from billing.audit import BillingAction
from billing.models import Account
from billing.selectors import account_list_manageable, tenant_deletion_refusal
from core.audit import audit_record
from core.text import typed_name
from tenants.audit import TenantAction
from tenants.exceptions import (
    LastOwnerError,
    NotAMemberError,
    OrgCreateLimitError,
    PersonalTenantError,
    TenantDeleteRefused,
    TenantRestoreRefused,
)
from tenants.models import Membership, Role, Tenant, TenantSlugRedirect
from tenants.permissions import BUILTIN_ROLES
from tenants.services._common import (
    assert_in_tenant,
    lock_tenant,
    member_as_stored,
    owner_count,
    send_membership_added,
)
from tenants.services.memberships import membership_change_role, membership_set_primary_contact
from tenants.signals import tenant_deleted, tenant_restored

if TYPE_CHECKING:
    from accounts.models import User


def slug_is_taken(slug: str, *, tenant: Tenant | None = None) -> bool:
    """True when another tenant uses the slug now or used it before (old links)."""
    tenants = Tenant.objects.filter(slug=slug)
    redirects = TenantSlugRedirect.objects.filter(slug=slug)
    if tenant is not None:
        tenants = tenants.exclude(pk=tenant.pk)
        redirects = redirects.exclude(tenant=tenant)
    return tenants.exists() or redirects.exists()


def tenant_slug_for(name: str) -> str:
    """A free, valid slug derived from the name (a random suffix on collision). The name
    is spelled in ASCII first: Django's slugify only strips accents, so it dropped "ß",
    "Ł" or "Ø" and every Cyrillic, Greek or Arabic letter ("Straße" gave "strae").
    Markup and symbols are left out before: "<b>Zeta</b> 🚀" gave "bzeta-rocket" (the
    tag's letter, the emoji's name)."""
    words = "".join(
        char for char in strip_tags(name) if unicodedata.category(char) not in {"So", "Sk"}
    )
    base = (
        re.sub(r"-{2,}", "-", slugify(anyascii(words)).replace("_", "-")).strip("-")[:48].strip("-")
    )
    if len(base) < 3:
        base = f"{base}-workspace".strip("-")
    slug = base
    while slug_is_taken(slug):
        slug = f"{base}-{get_random_string(6, 'abcdefghijkmnpqrstuvwxyz23456789')}"
    return slug


def roles_create_builtin(*, tenant: Tenant) -> dict[str, Role]:
    """Every tenant starts with owner, admin, billing_admin and member."""
    return {
        key: Role.objects.create(tenant=tenant, key=key, name=name, permissions=list(perms))
        for key, (name, perms) in BUILTIN_ROLES.items()
    }


def _create_owner_membership(*, tenant: Tenant, user: User, owner: Role) -> Membership:
    membership = Membership.objects.create(
        user=user, tenant=tenant, role=owner, is_primary_contact=True, is_billing_contact=True
    )
    send_membership_added(membership)
    return membership


@transaction.atomic
def tenant_create_personal(*, user: User) -> Tenant:
    """The personal tenant that every user gets at sign-up (one per user), named in
    their language: only they read it, and they may rename it like anything they typed."""
    with translation.override(user.language or translation.get_language()):
        name = _("%(name)s's workspace") % {"name": user.name} if user.name else _("Personal")
    account = Account.objects.create(name=name)
    tenant = Tenant(
        name=name[:100],
        slug=tenant_slug_for(user.name or user.email.split("@")[0]),
        kind=Tenant.Kind.PERSONAL,
        personal_owner=user,
        account=account,
    )
    tenant.full_clean()
    tenant.save()
    # Its log starts where it does: an organisation's begins with "Workspace created" too.
    audit_record(
        tenant=tenant,
        action=TenantAction.TENANT_CREATED,
        acting_user=user,
        target=tenant,
        after={"name": tenant.name, "owner": user.email},
    )
    _account_set_home(account=account, tenant=tenant)
    roles = roles_create_builtin(tenant=tenant)
    _create_owner_membership(tenant=tenant, user=user, owner=roles["owner"])
    return tenant


@transaction.atomic
def personal_workspace_ensure(*, user: User) -> Tenant | None:
    """The user's live personal workspace, made now for someone created outside sign-up
    (the admin, a shell), so signing in never ends on a bare "not found". None when
    theirs was deleted with their account (staff reactivated it): that one stays gone.
    The user's row is locked, so two first sign-ins at once make one workspace."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    existing = Tenant.objects.filter(personal_owner=user).first()
    if existing is not None:
        return None if existing.is_deleted else existing
    return tenant_create_personal(user=user)


def _account_set_home(*, account: Account, tenant: Tenant) -> None:
    """A new account belongs to the workspace it was made for (see Account.home_tenant)."""
    account.home_tenant = tenant
    account.save(update_fields=["home_tenant", "updated_at"])


def account_choices_for(*, user: User) -> list[Account]:
    """Billing accounts the user may charge a new org to: those whose home workspace gives
    them billing.manage now (`billing.selectors.account_may_manage`). Managing billing in
    a workspace that another account pays for is not enough, and neither is being a
    billing contact (that only means receiving billing mail)."""
    return account_list_manageable(user=user)


@transaction.atomic
def tenant_create_org(
    *,
    owner: User,
    name: str,
    account: Account | None = None,
    acting_user: User | None = None,
) -> Tenant:
    """An organisation owned by `owner` (also its primary and billing contact), paid for
    by a new account unless an existing account is given: then the person sharing it
    (`acting_user`, else `owner`) must control it, and both workspaces log the sharing.
    Its log starts with "Workspace created" by `acting_user` (None: an operator, in the
    admin or a command), naming its owner."""
    name = typed_name(name)
    sharer = acting_user or owner
    if account is not None and account not in account_choices_for(user=sharer):
        raise ValidationError(
            {
                "account": _(
                    "You can only use a billing account of a workspace whose billing you manage."
                )
            }
        )
    if acting_user is not None:  # people are capped; operators (admin, commands) are not
        org_create_assert_allowed(user=acting_user)
    shared = account is not None
    account = account or Account.objects.create(name=name)
    tenant = Tenant(name=name, slug=tenant_slug_for(name), kind=Tenant.Kind.ORG, account=account)
    tenant.full_clean()
    tenant.save()
    audit_record(
        tenant=tenant,
        action=TenantAction.TENANT_CREATED,
        acting_user=acting_user,
        target=tenant,
        after={"name": tenant.name, "owner": owner.email},
    )
    if shared:
        _audit_account_shared(account=account, tenant=tenant, acting_user=sharer)
    else:
        _account_set_home(account=account, tenant=tenant)
    roles = roles_create_builtin(tenant=tenant)
    _create_owner_membership(tenant=tenant, user=owner, owner=roles["owner"])
    return tenant


def _audit_account_shared(*, account: Account, tenant: Tenant, acting_user: User) -> None:
    """The new org and the account's home both log who put the org on the account, so the
    home's owners see every workspace their subscription pays for."""
    assert account.home_tenant_id is not None  # only its home's billing managers share it
    home = Tenant.objects.get(pk=account.home_tenant_id)
    for log in (tenant, home):
        audit_record(
            tenant=log,
            action=BillingAction.SHARED,
            acting_user=acting_user,
            target=tenant,
            after={"billing_account": account.name, "paid_by": home.name},
        )


def org_create_assert_allowed(*, user: User) -> None:
    """At most TENANTS_ORG_CREATE_PER_DAY new orgs per person in any 24 hours, deleted
    ones included: org names go out in invitation emails, so throwaway orgs are a
    phishing tool. Call inside the creating transaction."""
    limit = settings.TENANTS_ORG_CREATE_PER_DAY
    # Lock the person's row so two parallel creations cannot both take the last one.
    list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk"))
    # The creator's owner membership is the first one every org gets; people who
    # joined later do not count as creators.
    first_member = Membership.objects.filter(tenant=OuterRef("tenant")).order_by("pk")
    created = Membership.objects.filter(
        user=user,
        tenant__kind=Tenant.Kind.ORG,
        tenant__created_at__gte=timezone.now() - timedelta(days=1),
        pk=Subquery(first_member.values("pk")[:1]),
    ).count()
    if created >= limit:
        raise OrgCreateLimitError(
            ngettext(
                "You have created %(count)d organisation in the last 24 hours, the most "
                "allowed in a day. Try again tomorrow, or contact us if you need more.",
                "You have created %(count)d organisations in the last 24 hours, the most "
                "allowed in a day. Try again tomorrow, or contact us if you need more.",
                created,
            )
            % {"count": created}
        )


@transaction.atomic
def tenant_rename(*, tenant: Tenant, name: str, acting_user: User | None) -> Tenant:
    """Change the display name (the slug stays; see tenant_change_slug)."""
    before = Tenant.objects.values_list("name", flat=True).get(pk=tenant.pk)
    tenant.name = typed_name(name)
    tenant.full_clean(exclude=["slug"])
    tenant.save(update_fields=["name", "updated_at"])
    if before != tenant.name:
        audit_record(
            tenant=tenant,
            action=TenantAction.TENANT_RENAMED,
            acting_user=acting_user,
            target=tenant,
            before={"name": before},
            after={"name": tenant.name},
        )
    return tenant


@transaction.atomic
def tenant_change_slug(*, tenant: Tenant, slug: str, acting_user: User | None) -> Tenant:
    """Move the tenant to a new URL; the old slug keeps redirecting for its members."""
    slug = slug.strip().lower()
    if slug == tenant.slug:
        return tenant
    if slug_is_taken(slug, tenant=tenant):
        raise ValidationError(
            {"slug": _("“%(slug)s” is already taken. Try another.") % {"slug": slug}}
        )
    old = tenant.slug
    tenant.slug = slug
    tenant.full_clean(exclude=["name"])
    # Taking an old slug back: it is the live slug again, no longer a redirect.
    TenantSlugRedirect.objects.for_tenant(tenant).filter(slug=slug).delete()
    TenantSlugRedirect.objects.create(tenant=tenant, slug=old)
    tenant.save(update_fields=["slug", "updated_at"])
    audit_record(
        tenant=tenant,
        action=TenantAction.TENANT_SLUG_CHANGED,
        acting_user=acting_user,
        target=tenant,
        before={"slug": old},
        after={"slug": slug},
    )
    return tenant


@transaction.atomic
def tenant_delete(*, tenant: Tenant, acting_user: User | None) -> Tenant:
    """Soft-delete an org: it leaves every list and URL; its rows stay for billing/audit.
    Refused while it pays for a subscription that renews (`tenant_deletion_refusal`)."""
    if tenant.is_personal:
        raise PersonalTenantError(_("Personal workspaces cannot be deleted."))
    if tenant.is_deleted:
        return tenant
    refusal = tenant_deletion_refusal(tenant=tenant)
    if refusal:
        raise TenantDeleteRefused(refusal)
    tenant.deleted_at = timezone.now()
    tenant.save(update_fields=["deleted_at", "updated_at"])
    audit_record(
        tenant=tenant,
        action=TenantAction.TENANT_DELETED,
        acting_user=acting_user,
        target=tenant,
        after={"deleted_at": tenant.deleted_at.isoformat()},
    )
    transaction.on_commit(lambda: tenant_deleted.send(sender=Tenant, tenant=tenant))
    return tenant


@transaction.atomic
def tenant_restore(*, tenant: Tenant, acting_user: User | None) -> Tenant:
    """Undo a soft deletion (staff, from the admin): the organisation is back in its
    members' lists and URLs and its members take seats again, so the subscription's
    quantity is synced as after any change of members. Its verified domains were
    released when it was deleted (another organisation may hold them now): they come
    back unverified, and an owner verifies them again from its settings (what rests on
    them, SSO and auto-join by domain, is off until then), as files already purged are
    not brought back."""
    lock_tenant(tenant)
    deleted_at = Tenant.objects.values_list("deleted_at", flat=True).get(pk=tenant.pk)
    if deleted_at is None:
        tenant.deleted_at = None
        return tenant
    if owner_count(tenant) == 0:  # its only owner deleted their account since, say
        raise TenantRestoreRefused(
            _(
                "%(name)s has no owner who can act: make one of its members an owner "
                "first, then restore it."
            )
            % {"name": tenant.name}
        )
    tenant.deleted_at = None
    tenant.save(update_fields=["deleted_at", "updated_at"])
    audit_record(
        tenant=tenant,
        action=TenantAction.TENANT_RESTORED,
        acting_user=acting_user,
        target=tenant,
        before={"deleted_at": deleted_at.isoformat()},
    )
    transaction.on_commit(lambda: tenant_restored.send(sender=Tenant, tenant=tenant))
    return tenant


def ownership_transfer_moves_contact(*, source: Membership) -> bool:
    """Whether handing over ownership also makes the new owner the primary contact: when
    the owner handing it over is the primary contact (someone else who is keeps it).
    The one rule, for the service below and for the form that says so."""
    return source.is_primary_contact


@transaction.atomic
def ownership_transfer(
    *, tenant: Tenant, to_membership: Membership, acting_user: User
) -> Membership:
    """Make another member the owner; the acting owner becomes an admin, and their
    primary contact role passes to the new owner (`ownership_transfer_moves_contact`).
    Each change goes through its own service, so it is logged, sent as a webhook event
    and told to the payment provider as when made on the members page.

    The caller has confirmed the acting user's password.
    """
    assert_in_tenant(tenant, to_membership)
    if tenant.is_personal:
        raise PersonalTenantError(_("A personal workspace cannot change hands."))
    lock_tenant(tenant)
    try:
        source = Membership.objects.select_related("role").get(tenant=tenant, user=acting_user)
    except Membership.DoesNotExist:
        raise NotAMemberError(_("You are not a member of this workspace.")) from None
    if not source.role.is_owner:
        raise LastOwnerError(_("Only an owner can transfer ownership."))
    if to_membership.pk == source.pk:
        raise NotAMemberError(_("Choose another member to transfer ownership to."))
    member_as_stored(to_membership)
    if to_membership.suspended_at is not None:  # the organisation would have no owner who can act
        raise NotAMemberError(
            _(
                "%(email)s was deactivated by your identity provider and cannot become the "
                "owner. Choose an active member."
            )
            % {"email": to_membership.user.email}
        )
    if not to_membership.user.is_active:  # nor would it with an account staff deactivated
        raise NotAMemberError(
            _(
                "The account of %(email)s was deactivated and cannot become the owner. "
                "Choose an active member."
            )
            % {"email": to_membership.user.email}
        )
    roles = {r.key: r for r in Role.objects.for_tenant(tenant).exclude(key="")}
    # The new owner first: demoting the acting owner before would leave no owner.
    membership_change_role(
        tenant=tenant, membership=to_membership, role=roles[Role.Key.OWNER], acting_user=acting_user
    )
    if ownership_transfer_moves_contact(source=source):
        membership_set_primary_contact(
            tenant=tenant, membership=to_membership, acting_user=acting_user
        )
    membership_change_role(
        tenant=tenant, membership=source, role=roles[Role.Key.ADMIN], acting_user=acting_user
    )
    audit_record(
        tenant=tenant,
        action=TenantAction.OWNERSHIP_TRANSFERRED,
        acting_user=acting_user,
        target=to_membership,
        before={"owner": acting_user.email},
        after={"owner": to_membership.user.email},
    )
    # The new owner learns it now, not on their next visit: billing and the
    # organisation's fate are theirs from here.
    email_enqueue(
        to=to_membership.user.email,
        template="tenants/email/ownership_received",
        context={
            "tenant_name": tenant.name,
            "from_email": acting_user.email,
            "url": absolute_url("tenant:dashboard", tenant_slug=tenant.slug),
        },
    )
    return to_membership
