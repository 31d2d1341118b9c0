"""An organisation's verified domains: add, verify by DNS, remove, re-check daily.

A domain is verified by one organisation at a time (a partial unique index says so
too): verifying is what lets its IdP sign in, provision and require SSO of everyone
with an address there, so a second claim is refused until the first one lapses.
"""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.mail_delivery import absolute_url
from core.audit import audit_record
from core.dns import LookupFailed
from core.text import left_to_right
from sso.audit import SsoAction
from sso.dns import txt_values
from sso.exceptions import DomainRefused
from sso.models import Domain
from tenants.owner_notices import owners_notify
from tenants.services._common import assert_in_tenant

if TYPE_CHECKING:
    from accounts.models import User
    from tenants.models import Tenant

_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
DOMAIN_RE = re.compile(rf"^(?:{_LABEL}\.)+[a-z][a-z0-9-]{{0,62}}(?<!-)$")


def domain_normalize(raw: str) -> str:
    """`raw` as stored (lower case, IDNA, no trailing dot), or DomainRefused."""
    text = raw.strip().lower().rstrip(".")
    text = text.removeprefix("https://").removeprefix("http://").split("/")[0]
    try:
        text = text.encode("idna").decode("ascii")
    except UnicodeError:
        raise DomainRefused(_("“%(domain)s” is not a domain name.") % {"domain": raw}) from None
    if len(text) > 253 or not DOMAIN_RE.match(text):
        raise DomainRefused(
            _("“%(domain)s” is not a domain name, such as example.com.") % {"domain": raw}
        )
    return text


# Where anyone can get an address: no organisation owns its people, so none may claim
# it (nobody but the provider could publish its TXT record anyway; refused at once
# instead of leaving an owner waiting for a check that cannot pass).
PUBLIC_EMAIL_DOMAINS = frozenset(
    {
        "163.com",
        "aol.com",
        "gmail.com",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "googlemail.com",
        "hotmail.com",
        "icloud.com",
        "live.com",
        "mac.com",
        "mail.com",
        "mail.ru",
        "me.com",
        "msn.com",
        "outlook.com",
        "proton.me",
        "protonmail.com",
        "qq.com",
        "web.de",
        "yahoo.com",
        "yandex.ru",
        "ymail.com",
    }
)


def _verified_elsewhere(*, domain: str, tenant: Tenant) -> bool:
    return (
        Domain.objects.filter(domain=domain, verified_at__isnull=False)
        .exclude(tenant=tenant)
        .exists()
    )


@transaction.atomic
def domain_add(*, tenant: Tenant, domain: str, acting_user: User) -> Domain:
    """Claim `domain` for `tenant`: a token to publish as a TXT record."""
    if not tenant.is_org:
        raise DomainRefused(_("Only organisations can verify domains."))
    name = domain_normalize(domain)
    if name in PUBLIC_EMAIL_DOMAINS:
        raise DomainRefused(
            _(
                "%(domain)s is a public email provider's domain: anyone can have an address "
                "there. Add the domain of your organisation's own addresses."
            )
            % {"domain": name}
        )
    if Domain.objects.for_tenant(tenant).filter(domain=name).exists():
        raise DomainRefused(_("%(domain)s is already on the list.") % {"domain": name})
    if _verified_elsewhere(domain=name, tenant=tenant):
        raise DomainRefused(_("%(domain)s is verified by another organisation.") % {"domain": name})
    row = Domain(tenant=tenant, domain=name, token=secrets.token_urlsafe(24))
    row.full_clean()
    row.save()
    audit_record(
        tenant=tenant,
        action=SsoAction.DOMAIN_ADDED,
        acting_user=acting_user,
        target=row,
        after={"domain": name},
    )
    return row


def _has_token(row: Domain) -> bool:
    return row.token in txt_values(row.record_name)


def domain_verify(*, tenant: Tenant, domain: Domain, acting_user: User | None) -> Domain:
    """Look the TXT record up; the domain is verified when it holds the token.

    The lookup runs before any transaction (it can wait seconds on a slow resolver),
    and a check that found no record keeps its time: the page says when it last
    looked, which is what someone waiting for DNS wants to know."""
    assert_in_tenant(tenant, domain)
    try:
        found = _has_token(domain)
    except LookupFailed:
        raise DomainRefused(_("The DNS lookup failed. Try again in a few minutes.")) from None
    domain.last_checked_at = timezone.now()
    if not found:
        domain.save(update_fields=["last_checked_at"])
        raise DomainRefused(
            _(
                "No TXT record %(name)s with the token was found. DNS changes can "
                "take a while to appear; try again later."
            )
            % {"name": left_to_right(domain.record_name)}
        )
    if domain.is_verified:
        domain.save(update_fields=["last_checked_at"])
        return domain
    if _verified_elsewhere(domain=domain.domain, tenant=tenant):
        raise DomainRefused(
            _("%(domain)s is verified by another organisation.") % {"domain": domain.domain}
        )
    domain.verified_at = domain.last_checked_at
    try:
        with transaction.atomic():
            domain.save(update_fields=["verified_at", "last_checked_at"])
            audit_record(
                tenant=tenant,
                action=SsoAction.DOMAIN_VERIFIED,
                acting_user=acting_user,
                target=domain,
                after={"domain": domain.domain},
            )
    except IntegrityError:  # another organisation verified it a moment ago
        domain.verified_at = None
        raise DomainRefused(
            _("%(domain)s is verified by another organisation.") % {"domain": domain.domain}
        ) from None
    return domain


@transaction.atomic
def domain_remove(*, tenant: Tenant, domain: Domain, acting_user: User) -> None:
    assert_in_tenant(tenant, domain)
    audit_record(
        tenant=tenant,
        action=SsoAction.DOMAIN_REMOVED,
        acting_user=acting_user,
        target=domain,
        before={"domain": domain.domain, "verified": domain.is_verified},
    )
    domain.delete()


def domains_release(*, tenant: Tenant) -> int:
    """A deleted organisation's domains lose their verification: kept, a verified one
    would stop any other organisation (the same company starting again included) from
    verifying it, and nobody can reach the deleted organisation's pages to remove it.
    The rows stay, so an organisation staff restore verifies them again with one press.
    Each is in its audit log; returns how many."""
    rows = list(Domain.objects.filter(tenant=tenant, verified_at__isnull=False))
    for row in rows:
        audit_record(
            tenant=tenant,
            action=SsoAction.DOMAIN_LOST,
            acting_user=None,
            target=row,
            before={"domain": row.domain},
        )
    Domain.objects.filter(pk__in=[row.pk for row in rows]).update(verified_at=None)
    return len(rows)


def domains_recheck() -> tuple[int, int]:
    """Re-check every verified domain (daily: `manage.py sso_domains_recheck`). One
    whose record is gone loses its verification, and its organisation's owners are
    emailed; a failed lookup changes nothing. Returns (checked, lost)."""
    checked = lost = 0
    verified = Domain.objects.filter(verified_at__isnull=False, tenant__deleted_at__isnull=True)
    for row in verified.select_related("tenant"):
        try:
            found = _has_token(row)
        except LookupFailed:
            continue
        checked += 1
        with transaction.atomic():
            row.last_checked_at = timezone.now()
            if found:
                row.save(update_fields=["last_checked_at"])
                continue
            lost += 1
            row.verified_at = None
            row.save(update_fields=["verified_at", "last_checked_at"])
            audit_record(
                tenant=row.tenant,
                action=SsoAction.DOMAIN_LOST,
                acting_user=None,
                target=row,
                before={"domain": row.domain},
            )
            _tell_owners_domain_lost(row)
    return checked, lost


def _tell_owners_domain_lost(domain: Domain) -> None:
    """Single sign-on, "require SSO" and joining automatically stop for the domain's
    addresses the moment it is unverified; only the owners can publish the record again."""
    owners_notify(
        tenant=domain.tenant,
        template="sso/email/domain_lost",
        context={
            "domain": domain.domain,
            "record_name": domain.record_name,
            "url": absolute_url("sso_settings:domains", domain.tenant.slug),  # the button
        },
    )
