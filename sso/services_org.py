"""Signing in through an organisation's IdP: just-in-time provisioning, the domain
rule, auto-join and the owners' break-glass password sign-in.

The org's IdP speaks only for addresses on the domains that org verified by DNS:
for those it is authoritative (it may sign in, and link, an existing account with
that address); for any other address its word is refused.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User, is_email, normalize_email
from accounts.services import user_signup
from accounts.services_security import unproven_address_claimed
from billing.exceptions import PlanLimitReached
from billing.plans import plan_check_members
from core.audit import audit_record
from core.security_log import security_event
from sso.audit import SsoAction
from sso.crypto import client_secret_decrypt
from sso.exceptions import SignInRefused
from sso.models import Connection, JoinRequest, OrgIdentity
from sso.protocol import (
    Flow,
    authorization_start,
    code_exchange,
    discover,
    id_token_validate,
    userinfo,
)
from sso.selectors import connection_for_email, domain_verified_get, email_domain
from sso.services_groups import teams_sync_from_groups
from tenants.models import Membership, Tenant
from tenants.selectors import tenant_seats_taken
from tenants.services import membership_create
from tenants.services._common import assert_in_tenant, lock_tenant


def org_authorization_start(*, connection: Connection, redirect_uri: str) -> tuple[str, Flow]:
    return authorization_start(
        endpoints=discover(connection.issuer),
        client_id=connection.client_id,
        redirect_uri=redirect_uri,
        scope=connection.scopes,
    )


def org_claims_fetch(
    *, connection: Connection, code: str, flow: Flow, redirect_uri: str
) -> dict[str, Any]:
    """The validated ID token's claims (with userinfo's, when the token lacks the email)."""
    endpoints = discover(connection.issuer)
    token = code_exchange(
        endpoints=endpoints,
        client_id=connection.client_id,
        client_secret=client_secret_decrypt(connection.client_secret_encrypted),
        redirect_uri=redirect_uri,
        code=code,
        flow=flow,
    )
    if not token.get("id_token"):
        raise SignInRefused(_("The identity provider sent no ID token."))
    claims = id_token_validate(
        endpoints=endpoints,
        client_id=connection.client_id,
        id_token=token["id_token"],
        nonce=flow.nonce,
    )
    if not claims.get("email") and endpoints.userinfo_url:
        extra = userinfo(endpoints.userinfo_url, access_token=str(token.get("access_token")))
        if isinstance(extra, dict) and str(extra.get("sub")) == str(claims["sub"]):
            claims = {**extra, **claims}
    return claims


def _membership_add(*, connection: Connection, user: User, action: str) -> Membership | None:
    """Make `user` a member with the connection's role, under the plan's member cap
    (PlanLimitReached): a sign-in adds a seat as an invitation does."""
    tenant = connection.tenant
    if Membership.objects.for_tenant(tenant).filter(user=user).exists():
        return None
    _seat_check(tenant=tenant, acting_user=None)
    role = connection.role_for_new_members()
    membership = membership_create(tenant=tenant, user=user, role=role, acting_user=None)
    audit_record(
        tenant=tenant,
        action=action,
        acting_user=None,
        target=membership,
        after={"role": role.name},
    )
    return membership


def _seat_check(*, tenant: Tenant, acting_user: User | None) -> None:
    """The plan's member cap for one more person, as invitations and the directory
    (SCIM) check it. Without it an organisation that bought Business, turned on
    auto-join and moved to Free kept growing past Free's cap through sign-ins."""
    lock_tenant(tenant)
    plan_check_members(
        tenant=tenant, taken=tenant_seats_taken(tenant=tenant), adding=1, acting_user=acting_user
    )


def _email_verified_or_unsaid(value: Any) -> bool:
    if value is None:
        return True
    return value is True or (isinstance(value, str) and value.lower() == "true")


def org_email_vouched(*, connection: Connection, claims: dict[str, Any]) -> str:
    """The address the IdP claims, normalised, once it is on a domain the connection's
    organisation verified (the only addresses its IdP speaks for) and the IdP does not
    say it left the address unverified; else SignInRefused.

    `email_verified: false` is what an IdP open to self-registration (Keycloak, Auth0's
    sign-ups) sends for an address anyone typed: believed, its holder would sign in as
    the account of that address, owner included, with no second step. So a claim that
    is there vouches only as `true` (or the string "true", any case): "False", "no", 0
    and the like are all "not verified", not a true-ish string. An IdP that sends no
    such claim (absent or null: Entra ID) is taken at its word, as the organisation
    chose it."""
    tenant = connection.tenant
    email = normalize_email(str(claims.get("email") or ""))
    if email and not _email_verified_or_unsaid(claims.get("email_verified")):
        security_event("sso.email_unverified", tenant=tenant.pk)
        raise SignInRefused(
            _(
                "Your identity provider has not verified %(email)s, so it cannot sign you "
                "in to %(organisation)s. Ask your administrator to verify the address there."
            )
            % {"email": email, "organisation": tenant.name}
        )
    if email and not is_email(email):
        raise SignInRefused(
            _("Your identity provider sent “%(email)s”, which is not an email address.")
            % {"email": email}
        )
    domain = domain_verified_get(domain=email_domain(email)) if email else None
    if domain is None or domain.tenant_id != tenant.pk:
        raise SignInRefused(
            _(
                "%(email)s is not on a domain verified by %(organisation)s, so its identity "
                "provider cannot sign it in here."
            )
            % {"email": email, "organisation": tenant.name}
            if email
            else _(
                "That account is not on a domain verified by %(organisation)s, so its identity "
                "provider cannot sign it in here."
            )
            % {"organisation": tenant.name}
        )
    return email


def _speaks_for(*, tenant: Tenant, email: str) -> bool:
    """Whether `email` is on a domain `tenant` verified: the only accounts its IdP may
    sign in, whether found by address or by a subject linked earlier."""
    domain = domain_verified_get(domain=email_domain(email))
    return domain is not None and domain.tenant_id == tenant.pk


def org_reauth_proven(
    *, connection: Connection, user_id: int | None, claims: dict[str, Any]
) -> bool:
    """The IdP vouched again for `user_id`: the subject it asserted is the one linked to
    that person at sign-in, for an address it may speak for (org_email_vouched). Any
    other account at the IdP, even a colleague's, proves nothing about this session."""
    org_email_vouched(connection=connection, claims=claims)
    if user_id is None:
        return False
    link = (
        OrgIdentity.objects.select_related("user")
        .filter(
            tenant=connection.tenant,
            connection=connection,
            user_id=user_id,
            subject=str(claims["sub"]),
        )
        .first()
    )
    return link is not None and _speaks_for(tenant=connection.tenant, email=link.user.email)


def _subject_link(*, connection: Connection, claims: dict[str, Any]) -> OrgIdentity | None:
    return (
        OrgIdentity.objects.select_related("user")
        .filter(tenant=connection.tenant, connection=connection, subject=str(claims["sub"]))
        .first()
    )


def _claimed_account(
    *, connection: Connection, claims: dict[str, Any], email: str
) -> tuple[OrgIdentity | None, User | None]:
    """Whom these claims sign in, one rule for `org_sign_in` and for the page that asks
    first (which must name the account Continue signs in): the subject's linked account
    while the organisation's IdP still speaks for its address, else the account with the
    address asserted (None: one is made). The link comes back only while it stands."""
    link = _subject_link(connection=connection, claims=claims)
    if link is not None and _speaks_for(tenant=connection.tenant, email=link.user.email):
        return link, link.user
    return None, User.objects.filter(email=email).first()


def org_sign_in_account(*, connection: Connection, claims: dict[str, Any]) -> User | None:
    """Whom `org_sign_in` signs in for these claims (None: an account it will make for
    the address), read only."""
    email = org_email_vouched(connection=connection, claims=claims)
    return _claimed_account(connection=connection, claims=claims, email=email)[1]


@transaction.atomic
def org_sign_in(*, connection: Connection, claims: dict[str, Any]) -> User:
    """The person the IdP vouched for: found by the IdP's subject or by address, or
    created (verified address) and made a member with the default role; their teams
    follow the asserted groups when the connection syncs them (sso.services_groups)."""
    tenant = connection.tenant
    email = org_email_vouched(connection=connection, claims=claims)
    subject = str(claims["sub"])
    name = str(claims.get("name") or "").strip()[:150]
    link, user = _claimed_account(connection=connection, claims=claims, email=email)
    if link is None:
        # A link left from a person who moved their account to an address off the
        # organisation's domains (they left it, say) goes: its IdP no longer speaks for
        # that account, and the subject now means whoever holds the address it asserts.
        OrgIdentity.objects.filter(tenant=tenant, connection=connection, subject=subject).delete()
    if user is None:
        try:
            with transaction.atomic():
                user = user_signup(email=email, password=None, name=name or email.split("@")[0])
        except IntegrityError:
            raise SignInRefused(_("This account is being created. Try again.")) from None
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
        audit_record(
            tenant=tenant,
            action=SsoAction.PROVISIONED,
            acting_user=None,
            target=user,
            after={"email": email},
        )
    if not user.is_active:
        raise SignInRefused(_("This account is closed."))
    if user.email == email:
        # The IdP speaks for this address: an account nobody had proven it for (made by
        # instant sign-up, maybe by a stranger) loses the password it was made with.
        unproven_address_claimed(user=user)
    if link is None:
        link = OrgIdentity.objects.create(
            tenant=tenant, connection=connection, user=user, subject=subject
        )
    changed = []
    if name and user.name != name:  # the IdP owns the name of its people
        user.name = name
        changed.append("name")
    if changed:
        user.save(update_fields=changed)
    link.last_used_at = timezone.now()
    link.save(update_fields=["last_used_at"])
    try:
        _membership_add(connection=connection, user=user, action=SsoAction.PROVISIONED)
    except PlanLimitReached:
        # Nothing of this sign-in is kept (the transaction ends with the refusal).
        raise SignInRefused(
            _(
                "%(organisation)s has no free seat on its current plan, so you cannot join "
                "it yet. Ask one of its owners to make room or upgrade."
            )
            % {"organisation": tenant.name}
        ) from None
    membership = Membership.objects.for_tenant(tenant).get(user=user)
    teams_sync_from_groups(connection=connection, membership=membership, claims=claims)
    audit_record(
        tenant=tenant,
        action=SsoAction.SIGNED_IN,
        acting_user=user,
        target=user,
        after={"subject": subject},
    )
    return user


@transaction.atomic
def auto_join_apply(*, user: User) -> Membership | JoinRequest | None:
    """Join the organisation that verified `user`'s (verified) address's domain when it
    lets anyone there join, or ask to when it takes requests; None when nothing applies."""
    if not user.is_email_verified:
        return None
    connection = connection_for_email(email=user.email)
    if connection is None or not (connection.auto_join or connection.join_requests):
        return None
    tenant = connection.tenant
    if Membership.objects.for_tenant(tenant).filter(user=user).exists():
        return None
    if connection.auto_join:
        try:
            return _membership_add(connection=connection, user=user, action=SsoAction.AUTO_JOINED)
        except PlanLimitReached:
            pass  # full: asked for them below
    # Asking: the organisation takes requests, or it is full, so an owner decides
    # (and makes room) rather than the person silently not joining.
    pending = JoinRequest.objects.for_tenant(tenant).filter(user=user, decided_at__isnull=True)
    if pending.exists():
        return None
    join_request = JoinRequest.objects.create(tenant=tenant, user=user)
    audit_record(
        tenant=tenant, action=SsoAction.JOIN_REQUESTED, acting_user=user, target=join_request
    )
    return join_request


@transaction.atomic
def join_request_decide(
    *, tenant: Tenant, join_request: JoinRequest, approve: bool, acting_user: User
) -> JoinRequest:
    """An owner approves (the person joins with the default role) or declines."""
    assert_in_tenant(tenant, join_request)
    join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if join_request.decided_at is not None:
        raise SignInRefused(_("This request was already answered."))
    connection = Connection.objects.filter(tenant=tenant).first()
    if approve:
        role = connection.role_for_new_members() if connection else None
        if role is None:
            raise SignInRefused(_("Set up single sign-on first: it names the role of new members."))
        if not Membership.objects.for_tenant(tenant).filter(user=join_request.user).exists():
            _seat_check(tenant=tenant, acting_user=acting_user)
            membership_create(
                tenant=tenant, user=join_request.user, role=role, acting_user=acting_user
            )
    join_request.decided_at = timezone.now()
    join_request.approved = approve
    join_request.save(update_fields=["decided_at", "approved"])
    audit_record(
        tenant=tenant,
        action=SsoAction.JOIN_APPROVED if approve else SsoAction.JOIN_DECLINED,
        acting_user=acting_user,
        target=join_request,
        after={"email": join_request.user.email},
    )
    return join_request


def break_glass_record(*, connection: Connection, user: User) -> None:
    """An owner signed in with a password although the org requires SSO."""
    audit_record(
        tenant=connection.tenant,
        action=SsoAction.BREAK_GLASS,
        acting_user=user,
        target=user,
    )
