"""What the directory may do: its token, and provisioning members and teams.

Each function owns its transaction and writes the audit log. The identity provider
acts as the system (`acting_user=None`): the tenancy services it calls log their own
events (member joined, suspended, team changes) next to the SCIM ones here.

Deprovisioning (`active: false` or a delete) suspends the membership and revokes, in
the same transaction, the person's sessions that are working in this organisation, or
every session of theirs when the organisation requires SSO for them (sso's rule).
Their very next request to the organisation is refused either way: TenantMiddleware
reads the membership on every request.

The directory speaks only for addresses on domains the organisation verified
(`_assert_addresses`): a token holder cannot create or claim another company's people.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User, normalize_email
from accounts.services import user_signup
from billing.plans import plan_check_members, plan_require
from core.audit import audit_record
from scim.audit import ScimAction
from scim.exceptions import ScimConflict, ScimInvalidValue
from scim.models import Directory, ScimGroup, ScimUser
from scim.tokens import token_generate, token_hash
from sessions_app.models import Session
from sessions_app.services import session_revoke_all_for_user, session_revoke_in_tenant
from sso.selectors import domain_verified_get, email_domain, sso_requirement_get
from tenants import services as tenancy
from tenants.models import Membership, Role, Team, Tenant
from tenants.selectors import tenant_seats_taken
from tenants.services._common import lock_tenant

if TYPE_CHECKING:
    from collections.abc import Iterable


# --- The token ---------------------------------------------------------------------------


@transaction.atomic
def directory_token_rotate(*, tenant: Tenant, acting_user: User) -> str:
    """Turn provisioning on with a new token, or replace the token (the old one stops
    working at once). Returns the raw token: shown once, never stored. Directory sync
    belongs to the "sso" feature (PlanLimitReached without it); a token made before a
    downgrade keeps working, so people leaving are still deprovisioned."""
    plan_require(tenant=tenant, feature="sso")
    raw = token_generate()
    directory = Directory.objects.select_for_update().filter(tenant=tenant).first()
    action = ScimAction.TOKEN_ROTATED if directory else ScimAction.TOKEN_CREATED
    if directory is None:
        directory = Directory(tenant=tenant)
    directory.token_hash = token_hash(raw)
    directory.token_hint = raw[-4:]
    directory.token_created_at = timezone.now()
    directory.token_created_by = acting_user
    directory.save()
    audit_record(
        tenant=tenant,
        action=action,
        acting_user=acting_user,
        target=directory,
        target_label=_token_label(directory),
        after={"token_ends_with": directory.token_hint},
    )
    return raw


def _token_label(directory: Directory) -> str:
    """The audit log's target: the token's last characters, as the settings page shows
    them, in no language (the Directory's own str() is English words)."""
    return f"…{directory.token_hint}"


@transaction.atomic
def directory_disable(*, tenant: Tenant, acting_user: User) -> bool:
    """Revoke the token: the IdP is refused from its next request. Provisioned members
    and teams stay as they are, linked, so a new token resumes the sync where it was."""
    directory = Directory.objects.filter(tenant=tenant).first()
    if directory is None:
        return False
    audit_record(
        tenant=tenant,
        action=ScimAction.TOKEN_REVOKED,
        acting_user=acting_user,
        target=directory,
        target_label=_token_label(directory),
        before={"token_ends_with": directory.token_hint},
    )
    directory.delete()
    return True


def directory_mark_used(*, directory: Directory) -> None:
    """At most one write a minute: the settings page shows when the IdP last called."""
    now = timezone.now()
    if directory.last_used_at is None or (now - directory.last_used_at).total_seconds() > 60:
        Directory.objects.filter(pk=directory.pk).update(last_used_at=now)


# --- Users -------------------------------------------------------------------------------


@dataclass(frozen=True)
class UserFields:
    """What the IdP says about a person, from a SCIM User (scim/resources.py)."""

    user_name: str
    emails: tuple[dict[str, Any], ...] = ()  # value, type, primary, as sent
    external_id: str = ""
    given_name: str = ""
    family_name: str = ""
    display_name: str = ""
    active: bool = True

    @property
    def email(self) -> str:
        """The primary address of `emails`, else the first."""
        primary = [e for e in self.emails if e.get("primary")] or list(self.emails)
        return str(primary[0].get("value") or "") if primary else ""

    @property
    def full_name(self) -> str:
        joined = f"{self.given_name} {self.family_name}".strip()
        return (self.display_name or joined)[:150]


def _address(value: str) -> str | None:
    email = normalize_email(value or "")
    try:
        validate_email(email)
    except ValidationError:
        return None
    return email


def _sign_in_address(fields: UserFields) -> str:
    """Okta sends the address as userName; Entra ID often a UPN or an id, with the
    address in `emails`."""
    email = _address(fields.user_name) or _address(fields.email)
    if email is None:
        raise ScimInvalidValue("Give the person's email address as userName or in emails.")
    return email


def _assert_user_name_free(tenant: Tenant, user_name: str, *, scim_user: ScimUser | None) -> None:
    if not user_name.strip():
        raise ScimInvalidValue("userName is required.")
    clash = ScimUser.objects.for_tenant(tenant).filter(user_name__iexact=user_name.strip())
    if scim_user is not None:
        clash = clash.exclude(pk=scim_user.pk)
    if clash.exists():
        raise ScimConflict(f"A user with userName {user_name} already exists.")


@transaction.atomic
def scim_user_create(*, tenant: Tenant, fields: UserFields) -> ScimUser:
    """Provision a person: their account if the address has none (no password: they
    sign in by password reset or SSO), a Member membership, and the SCIM link. A member
    already in the organisation (invited by hand, or deleted by the IdP earlier) is
    linked and, when `active`, reactivated with the role they had; one already linked
    is a uniqueness conflict. Every address must be on a domain the organisation
    verified, except the address of the member being linked (`_assert_addresses`)."""
    _assert_user_name_free(tenant, fields.user_name, scim_user=None)
    email = _sign_in_address(fields)
    user = User.objects.filter(email=email).first()
    membership = None
    known: set[str] = set()
    if user is not None:
        membership = (
            Membership.objects.for_tenant(tenant).select_related("role", "user").filter(user=user)
        ).first()
        known = {user.email} if membership is not None else set()
    _assert_addresses(tenant=tenant, fields=fields, known=known)
    if user is None:
        user = user_signup(
            email=email, password=None, name=fields.full_name or email.split("@")[0][:150]
        )
    if membership is not None and ScimUser.objects.filter(membership=membership).exists():
        raise ScimConflict(f"{email} is already provisioned under another userName.")
    if membership is None:
        # Under the tenant's lock, as invitations and SSO take a seat: a directory
        # pushing people in parallel would otherwise pass the cap check twice.
        lock_tenant(tenant)
        plan_check_members(tenant=tenant, taken=tenant_seats_taken(tenant=tenant), adding=1)
        member_role = Role.objects.for_tenant(tenant).get(key=Role.Key.MEMBER)
        membership = tenancy.membership_create(
            tenant=tenant, user=user, role=member_role, acting_user=None
        )
    scim_user = ScimUser(tenant=tenant, membership=membership)
    _assign(scim_user, fields)
    scim_user.save()
    audit_record(
        tenant=tenant,
        action=ScimAction.USER_PROVISIONED,
        acting_user=None,
        target=membership,
        after={"email": email, "user_name": scim_user.user_name},
    )
    _set_active(scim_user, active=fields.active)
    return scim_user


def _addresses(user_name: str, emails: Iterable[dict[str, Any]]) -> set[str]:
    """Every address the IdP states for a person: userName when it is one, and emails."""
    found = [_address(user_name)] + [_address(str(e.get("value") or "")) for e in emails]
    return {a for a in found if a}


# More addresses than any directory gives one person: an attack sent 20,000 (one domain
# lookup each, 21 s of a worker, all stored and returned on every read).
MAX_EMAILS = 20
# Longer than any address or label a directory sends: an attack sent twenty 120,000-
# character types (2.4 MB stored for one person, returned on every read of the list).
MAX_EMAIL_VALUE = 254
MAX_EMAIL_TYPE = 64


def _assert_addresses(*, tenant: Tenant, fields: UserFields, known: set[str]) -> None:
    """The directory speaks only for addresses on domains this organisation verified:
    otherwise a token holder could create (and so squat) accounts for another company's
    people, or claim their addresses, and "require SSO" would not cover them. `known`
    addresses are exempt: the account's own address when the person is a member
    already (someone invited by hand, on any domain, may still be linked and
    deprovisioned) and, on an update, what the IdP had already stated (a domain whose
    verification lapsed never blocks an update or a deactivation)."""
    if len(fields.emails) > MAX_EMAILS:
        raise ScimInvalidValue(
            _("A person may have at most %(limit)s emails; %(count)s were sent.")
            % {"limit": MAX_EMAILS, "count": len(fields.emails)}
        )
    for email in fields.emails:
        if len(str(email.get("value") or "")) > MAX_EMAIL_VALUE:
            raise ScimInvalidValue(
                _("An email may be at most %(limit)s characters long.") % {"limit": MAX_EMAIL_VALUE}
            )
        if len(str(email.get("type") or "")) > MAX_EMAIL_TYPE:
            raise ScimInvalidValue(
                _("An email's type may be at most %(limit)s characters long.")
                % {"limit": MAX_EMAIL_TYPE}
            )
    for address in sorted(_addresses(fields.user_name, fields.emails) - known):
        domain = domain_verified_get(domain=email_domain(address))
        if domain is None or domain.tenant_id != tenant.pk:
            raise ScimInvalidValue(
                _(
                    "%(address)s is not on a domain this organisation has verified. Verify "
                    "%(domain)s under Settings → Domains, or invite the person."
                )
                % {"address": address, "domain": email_domain(address)}
            )


def _sso_required(*, tenant: Tenant, user: User) -> bool:
    """Whether this organisation requires SSO of the person (it verified their
    address's domain and turned "require SSO" on): then their account is the IdP's."""
    requirement = sso_requirement_get(user=user)
    return requirement is not None and requirement[0].tenant_id == tenant.pk


def _assign(scim_user: ScimUser, fields: UserFields) -> None:
    scim_user.user_name = fields.user_name.strip()[:254]
    scim_user.emails = [dict(e) for e in fields.emails]
    scim_user.external_id = fields.external_id[:255]
    scim_user.given_name = fields.given_name[:150]
    scim_user.family_name = fields.family_name[:150]
    scim_user.display_name = fields.display_name[:150]


@transaction.atomic
def scim_user_update(*, tenant: Tenant, scim_user: ScimUser, fields: UserFields) -> ScimUser:
    """Apply the IdP's view of a person (PUT, or the result of a PATCH), then its
    `active`. The account's sign-in address and name never change here: the account
    may belong to other organisations, whose directories this one does not speak for."""
    assert_linked(tenant, scim_user)
    _assert_user_name_free(tenant, fields.user_name, scim_user=scim_user)
    stated = _addresses(scim_user.user_name, scim_user.emails)
    _assert_addresses(
        tenant=tenant, fields=fields, known=stated | {scim_user.membership.user.email}
    )
    before = _stored(scim_user)
    _assign(scim_user, fields)
    after = _stored(scim_user)
    if before != after:
        scim_user.save()
        changed = [k for k in after if before[k] != after[k]]
        audit_record(
            tenant=tenant,
            action=ScimAction.USER_UPDATED,
            acting_user=None,
            target=scim_user.membership,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    _set_active(scim_user, active=fields.active)
    return scim_user


def _stored(scim_user: ScimUser) -> dict[str, Any]:
    return {
        "user_name": scim_user.user_name,
        "emails": scim_user.emails,
        "external_id": scim_user.external_id,
        "given_name": scim_user.given_name,
        "family_name": scim_user.family_name,
        "display_name": scim_user.display_name,
    }


@transaction.atomic
def scim_user_delete(*, tenant: Tenant, scim_user: ScimUser) -> None:
    """The IdP deleted the person: deprovisioned as for `active: false`, and the SCIM
    link goes (a later GET is 404). The membership stays, suspended: an owner removes it."""
    assert_linked(tenant, scim_user)
    _set_active(scim_user, active=False)
    audit_record(
        tenant=tenant,
        action=ScimAction.USER_DELETED,
        acting_user=None,
        target=scim_user.membership,
        before={"email": scim_user.membership.user.email},
    )
    scim_user.delete()


def _set_active(scim_user: ScimUser, *, active: bool) -> None:
    membership, tenant = scim_user.membership, scim_user.membership.tenant
    if active:
        tenancy.membership_reactivate(tenant=tenant, membership=membership, acting_user=None)
        return
    if not tenancy.membership_suspend(tenant=tenant, membership=membership, acting_user=None):
        return
    user = membership.user
    ended = session_revoke_in_tenant(
        user=user, tenant_id=tenant.pk, reason=Session.RevokedReason.DEPROVISIONED
    )
    everywhere = _sso_required(tenant=tenant, user=user)
    if everywhere:
        ended += session_revoke_all_for_user(user=user, reason=Session.RevokedReason.DEPROVISIONED)
    audit_record(
        tenant=tenant,
        action=ScimAction.USER_DEPROVISIONED,
        acting_user=None,
        target=membership,
        after={"sessions_ended": ended, "everywhere": everywhere},
    )


def assert_linked(tenant: Tenant, scim_user: ScimUser) -> None:
    """Every SCIM row handed to a service belongs to the directory's own tenant."""
    if scim_user.tenant_id != tenant.pk or scim_user.membership.tenant_id != tenant.pk:
        raise ScimInvalidValue("This resource belongs to another organisation.")


# --- Groups ------------------------------------------------------------------------------


def _members(tenant: Tenant, scim_ids: Iterable[str]) -> dict[int, Membership]:
    """The memberships behind SCIM user ids of this organisation (unknown ids refused)."""
    wanted = set(scim_ids)
    rows = list(
        ScimUser.objects.for_tenant(tenant)
        .select_related("membership__user")
        .filter(scim_id__in=[i for i in wanted if _is_uuid(i)])
    )
    found = {str(r.scim_id) for r in rows}
    if wanted - found:
        missing = ", ".join(sorted(wanted - found))
        raise ScimInvalidValue(f"No user with id {missing} in this directory.")
    return {r.membership.pk: r.membership for r in rows}


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _name_free(tenant: Tenant, name: str, *, team: Team | None) -> None:
    clash = Team.objects.for_tenant(tenant).filter(name__iexact=name.strip())
    if team is not None:
        clash = clash.exclude(pk=team.pk)
    if clash.exists():
        raise ScimConflict(f"A group or team called “{name}” already exists.")


@transaction.atomic
def scim_group_create(
    *, tenant: Tenant, display_name: str, external_id: str, member_ids: list[str]
) -> ScimGroup:
    """A team the directory owns (read-only in the app), with these members."""
    _name_free(tenant, display_name, team=None)
    members = _members(tenant, member_ids)
    team = tenancy.team_create(
        tenant=tenant, name=display_name, acting_user=None, directory_managed=True
    )
    group = ScimGroup.objects.create(tenant=tenant, team=team, external_id=external_id)
    for membership in members.values():
        tenancy.team_member_add(
            tenant=tenant, team=team, membership=membership, acting_user=None, via_directory=True
        )
    return group


@transaction.atomic
def scim_group_update(
    *,
    tenant: Tenant,
    group: ScimGroup,
    display_name: str,
    external_id: str,
    member_ids: list[str],
) -> ScimGroup:
    """Make the team what the IdP says (PUT, or the result of a PATCH): its name and
    exactly these SCIM-provisioned members (members added by hand are left alone)."""
    team = group.team
    if team.tenant_id != tenant.pk:
        raise ScimInvalidValue("This resource belongs to another organisation.")
    if display_name.strip() != team.name:
        _name_free(tenant, display_name, team=team)
        tenancy.team_update(
            tenant=tenant,
            team=team,
            name=display_name,
            parent=team.parent,
            acting_user=None,
            via_directory=True,
        )
    if external_id != group.external_id:
        group.external_id = external_id
        group.save(update_fields=["external_id", "updated_at"])
    wanted = _members(tenant, member_ids)
    current = {
        m.pk: m
        for m in team.members.filter(scim_user__isnull=False).select_related("user", "tenant")
    }
    for pk in current.keys() - wanted.keys():
        tenancy.team_member_remove(
            tenant=tenant, team=team, membership=current[pk], acting_user=None, via_directory=True
        )
    for pk in wanted.keys() - current.keys():
        tenancy.team_member_add(
            tenant=tenant, team=team, membership=wanted[pk], acting_user=None, via_directory=True
        )
    return group


@transaction.atomic
def scim_group_delete(*, tenant: Tenant, group: ScimGroup) -> None:
    """Delete the team (its members stay in the organisation)."""
    if group.tenant_id != tenant.pk:
        raise ScimInvalidValue("This resource belongs to another organisation.")
    tenancy.team_delete(tenant=tenant, team=group.team, acting_user=None, via_directory=True)
