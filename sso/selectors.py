"""Reads: which organisation a verified domain belongs to, its connection, what an
organisation requires of its members, and how a person can sign in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from sso.models import Connection, Domain, JoinRequest, SocialIdentity
from sso.saml import idp_certificate_valid_until
from tenants.models import Membership

if TYPE_CHECKING:
    from accounts.models import User
    from tenants.models import Tenant


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower().rstrip(".")


def domain_verified_get(*, domain: str) -> Domain | None:
    """The live organisation's verified claim on `domain`, if any."""
    return (
        Domain.objects.select_related("tenant")
        .filter(domain=domain, verified_at__isnull=False, tenant__deleted_at__isnull=True)
        .first()
    )


def connection_for_email(*, email: str) -> Connection | None:
    """The SSO connection of the organisation that verified this address's domain."""
    domain = domain_verified_get(domain=email_domain(email))
    if domain is None:
        return None
    return (
        Connection.objects.select_related("tenant", "default_role")
        .filter(tenant=domain.tenant)
        .first()
    )


def sso_requirement_get(*, user: User) -> tuple[Connection, Membership] | None:
    """The connection that requires SSO of `user` (a member whose address is on the
    org's verified domain), with their membership; None when nothing does."""
    connection = connection_for_email(email=user.email)
    if connection is None or not connection.require_sso:
        return None
    membership = (
        Membership.objects.for_tenant(connection.tenant)
        .select_related("role")
        .filter(user=user)
        .first()
    )
    return (connection, membership) if membership is not None else None


def domain_list(*, tenant: Tenant) -> list[Domain]:
    return list(Domain.objects.for_tenant(tenant).order_by("domain"))


def domain_get(*, tenant: Tenant, domain_id: int) -> Domain | None:
    return Domain.objects.for_tenant(tenant).filter(pk=domain_id).first()


def connection_get(*, tenant: Tenant) -> Connection | None:
    return Connection.objects.for_tenant(tenant).select_related("default_role").first()


def social_identity_list(*, user: User) -> list[SocialIdentity]:
    return list(SocialIdentity.objects.filter(user=user).order_by("provider"))


def sign_in_method_count(*, user: User) -> int:
    """How many independent ways `user` has to sign in: a password, each passkey,
    each connected provider, each organisation IdP that knows them."""
    return (
        int(user.has_usable_password())
        + user.passkeys.count()
        + user.social_identities.count()
        + user.org_identities.count()
    )


def org_connections_of(*, user: User) -> list[Connection]:
    """The live organisations' connections whose IdP knows `user`."""
    return list(
        Connection.objects.select_related("tenant")
        .filter(identities__user=user, tenant__deleted_at__isnull=True)
        .distinct()
        .order_by("tenant__name")
    )


def join_requests_open(*, tenant: Tenant) -> list[JoinRequest]:
    return list(
        JoinRequest.objects.for_tenant(tenant)
        .filter(decided_at__isnull=True)
        .select_related("user")
        .order_by("created_at")
    )


def join_request_get(*, tenant: Tenant, request_id: int) -> JoinRequest | None:
    return JoinRequest.objects.for_tenant(tenant).filter(pk=request_id).first()


# How long before the IdP's certificate ends the SSO page starts to warn.
SAML_CERTIFICATE_WARNING = timedelta(days=30)


@dataclass(frozen=True)
class CertificateValidity:
    until: datetime
    expired: bool
    ending_soon: bool  # within SAML_CERTIFICATE_WARNING


def saml_certificate_validity(
    *, connection: Connection | None, now: datetime | None = None
) -> CertificateValidity | None:
    """Until when the SAML IdP's signing certificate in the stored metadata is valid,
    and whether the owner should act (None without SAML or a readable certificate)."""
    if connection is None or not connection.is_saml:
        return None
    until = idp_certificate_valid_until(connection.saml_idp_metadata)
    if until is None:
        return None
    now = now or timezone.now()
    return CertificateValidity(
        until=until, expired=until <= now, ending_soon=until - now <= SAML_CERTIFICATE_WARNING
    )
