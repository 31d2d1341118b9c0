"""Telling owners that their SAML IdP's signing certificate ends soon.

An IdP moves to a new signing certificate around the end of the old one, and responses
signed with a certificate the stored metadata does not list are refused: with uploaded
metadata, sign-in then fails for everyone until an owner uploads the new one. The SSO
page warns from a month before; this emails the owners then, and once more a week
before if the metadata still lists that certificate, since nobody opens that page
every day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.mail_delivery import absolute_url
from sso.models import Connection
from sso.selectors import CertificateValidity, saml_certificate_validity
from tenants.owner_notices import owners_notify

# The second email, if the certificate is still the one the metadata lists by then.
SAML_CERTIFICATE_FINAL_WARNING = timedelta(days=7)


@dataclass(frozen=True)
class CertificateWarned:
    tenant_id: int
    tenant_name: str
    until: datetime

    def describe(self) -> str:
        return f"{self.tenant_name} (#{self.tenant_id}): certificate ends {self.until:%Y-%m-%d}"


def saml_certificates_check(*, now: datetime | None = None) -> list[CertificateWarned]:
    """Email the owners of every live organisation whose IdP certificate ends within
    `SAML_CERTIFICATE_WARNING` (or has ended) and who were not told about that one yet,
    or were told before its last week began and it is still valid (the
    `sso_saml_metadata` job, after the day's metadata reads)."""
    now = now or timezone.now()
    connections = Connection.objects.filter(
        protocol=Connection.Protocol.SAML, tenant__deleted_at__isnull=True
    ).select_related("tenant")
    warned = []
    for connection in connections.order_by("pk"):
        validity = saml_certificate_validity(connection=connection, now=now)
        if validity is None or not validity.ending_soon:
            continue
        if not _warning_due(connection, validity, now):
            continue
        with transaction.atomic():
            # Only if the metadata and what was told are still as read (not replaced or
            # told by a run alongside meanwhile).
            claimed = Connection.objects.filter(
                pk=connection.pk,
                saml_idp_metadata=connection.saml_idp_metadata,
                saml_idp_certificate_warned_until=connection.saml_idp_certificate_warned_until,
                saml_idp_certificate_warned_at=connection.saml_idp_certificate_warned_at,
            ).update(
                saml_idp_certificate_warned_until=validity.until,
                saml_idp_certificate_warned_at=now,
            )
            if not claimed:
                continue
            owners_notify(
                tenant=connection.tenant,
                template="sso/email/certificate_ending",
                context={
                    "until": validity.until,
                    "expired": validity.expired,
                    "metadata_url": connection.saml_idp_metadata_url,
                    "url": absolute_url("sso_settings:connection", connection.tenant.slug),
                },
            )
        warned.append(
            CertificateWarned(connection.tenant_id, connection.tenant.name, validity.until)
        )
    return warned


def _warning_due(connection: Connection, validity: CertificateValidity, now: datetime) -> bool:
    """Never told about this certificate; or told before its last week began, and it
    is in that week now (an ended one is told about once, not again)."""
    if connection.saml_idp_certificate_warned_until != validity.until:
        return True
    told_at = connection.saml_idp_certificate_warned_at
    last_week = validity.until - SAML_CERTIFICATE_FINAL_WARNING
    return not validity.expired and now >= last_week and (told_at is None or told_at < last_week)
