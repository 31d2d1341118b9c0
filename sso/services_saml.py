"""An organisation's SAML connection: save it (metadata checked, SP key pair made
once), and turn a verified assertion into the claims `org_sign_in` takes."""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.mail_delivery import absolute_url
from billing.plans import plan_require
from core.audit import audit_record
from core.i18n import said_later
from sso.audit import IdpMetadata, SsoAction
from sso.crypto import client_secret_encrypt
from sso.exceptions import ConnectionRefused, MetadataRefused, SignInRefused
from sso.metadata_url import metadata_fetch
from sso.models import Connection
from sso.saml import SamlConnectionData, SpUrls, idp_metadata_read, sp_keypair_generate
from tenants.owner_notices import owners_notify
from tenants.services._common import assert_in_tenant

if TYPE_CHECKING:
    from accounts.models import User
    from tenants.models import Role, Tenant

logger = logging.getLogger("pacetrack.sso")

FIELDS = (
    "protocol",
    "saml_idp_entity_id",
    "saml_idp_metadata_url",
    "saml_allow_idp_initiated",
    "saml_attr_email",
    "saml_attr_first_name",
    "saml_attr_last_name",
    "saml_attr_groups",
    "require_sso",
    "auto_join",
    "join_requests",
    "sync_teams_from_groups",
)


def saml_data(connection: Connection) -> SamlConnectionData:
    return SamlConnectionData(
        pk=connection.pk,
        idp_metadata=connection.saml_idp_metadata,
        sp_key_encrypted=connection.saml_sp_key_encrypted,
        sp_certificate=connection.saml_sp_certificate,
        allow_idp_initiated=connection.saml_allow_idp_initiated,
    )


def saml_urls(request: HttpRequest, *, tenant_id: int) -> SpUrls:
    """The SP entity id (the metadata URL, as Okta and Entra ID expect) and ACS URL.
    Named by the organisation, not the connection: the owner registers them at the
    IdP before there is a connection (the IdP's metadata comes from that step)."""
    kwargs = {"tenant_id": tenant_id}
    return SpUrls(
        entity_id=request.build_absolute_uri(reverse("sso:saml-metadata", kwargs=kwargs)),
        acs_url=request.build_absolute_uri(reverse("sso:saml-acs", kwargs=kwargs)),
    )


def _state(connection: Connection) -> dict[str, Any]:
    return {
        **{name: getattr(connection, name) for name in FIELDS},
        "default_role": connection.role_for_new_members().name,
    }


@transaction.atomic
def saml_connection_save(
    *,
    tenant: Tenant,
    acting_user: User,
    idp_metadata: str,
    default_role: Role,
    require_sso: bool,
    auto_join: bool,
    join_requests: bool = False,
    allow_idp_initiated: bool = False,
    attr_email: str = "email",
    attr_first_name: str = "firstName",
    attr_last_name: str = "lastName",
    attr_groups: str = "groups",
    idp_metadata_url: str = "",
    sync_teams_from_groups: bool = False,
) -> Connection:
    """Create `tenant`'s SAML connection, or change it (an OIDC one becomes SAML). The
    metadata is `idp_metadata` (uploaded) or read from `idp_metadata_url` (fetched here
    when it is new, checked exactly like an upload); neither keeps the stored metadata
    and its URL. The SP key pair is made once and kept. The plan must include SSO
    (PlanLimitReached), as for `connection_save`."""
    if not tenant.is_org:
        raise ConnectionRefused(_("Only organisations can set up single sign-on."))
    plan_require(tenant=tenant, feature="sso")
    assert_in_tenant(tenant, default_role)
    if default_role.is_owner:
        raise ConnectionRefused(_("New members cannot be made owners automatically."))
    connection = Connection.objects.select_for_update().filter(tenant=tenant).first()
    before = _state(connection) if connection else None
    if connection is None:
        connection = Connection(tenant=tenant)
    stored = connection.is_saml and bool(connection.saml_idp_metadata)
    url = idp_metadata_url.strip()
    if idp_metadata.strip() and url:
        raise MetadataRefused(_("Give the metadata XML or its URL, not both."))
    source = IdpMetadata.UPLOADED if idp_metadata.strip() else ""
    metadata = idp_metadata.strip()
    if url and not (stored and url == connection.saml_idp_metadata_url):
        metadata, source = metadata_fetch(url), IdpMetadata.FETCHED
        connection.saml_idp_metadata_fetched_at = timezone.now()
    if source:
        connection.saml_idp_metadata_url = url
        # Other metadata: the daily read's failures were about what it replaces.
        connection.saml_idp_metadata_failing_since = None
        connection.saml_idp_metadata_error = ""
        connection.saml_idp_metadata_error_params = {}
    elif stored:
        metadata = connection.saml_idp_metadata
    if not metadata:
        raise MetadataRefused(
            _("Upload your identity provider's SAML metadata XML, or give its URL.")
        )
    if sync_teams_from_groups and not attr_groups.strip():
        # Without it every sign-in would assert no group and empty the synced teams.
        raise ConnectionRefused(_("Name the groups attribute to sync teams from groups."))
    entity_id, _sso_url = idp_metadata_read(metadata)
    connection.protocol = Connection.Protocol.SAML
    connection.issuer = connection.client_id = connection.client_secret_encrypted = ""
    connection.saml_idp_metadata = metadata
    connection.saml_idp_entity_id = entity_id
    if not connection.saml_sp_key_encrypted:
        key, certificate = sp_keypair_generate(common_name=f"Pacetrack SAML {tenant.slug}")
        connection.saml_sp_key_encrypted = client_secret_encrypt(key)
        connection.saml_sp_certificate = certificate
    connection.saml_allow_idp_initiated = allow_idp_initiated
    connection.saml_attr_email = attr_email.strip()
    connection.saml_attr_first_name = attr_first_name.strip()
    connection.saml_attr_last_name = attr_last_name.strip()
    connection.saml_attr_groups = attr_groups.strip()
    connection.default_role = default_role
    connection.require_sso = require_sso
    connection.auto_join = auto_join
    connection.join_requests = join_requests
    connection.sync_teams_from_groups = sync_teams_from_groups
    connection.full_clean()
    connection.save()
    audit_record(
        tenant=tenant,
        action=SsoAction.CONNECTION_CHANGED if before else SsoAction.CONNECTION_CREATED,
        acting_user=acting_user,
        target=connection,
        before=before,
        after=_state(connection) | ({"idp_metadata": source} if source else {}),
    )
    return connection


def saml_metadata_refresh(*, tenant: Tenant, acting_user: User | None) -> Connection:
    """Fetch the IdP's metadata again from its URL (a new signing certificate, say),
    checked like the first time; the stored metadata stays if anything is wrong. The
    fetch (up to SSO_HTTP_TIMEOUT) happens before the row is locked. An owner's refresh
    is always audited; the daily one (`acting_user` None) only when the metadata changed,
    so the audit log does not fill with a line per organisation per day."""
    current = Connection.objects.filter(tenant=tenant, protocol=Connection.Protocol.SAML).first()
    if current is None or not current.saml_idp_metadata_url:
        raise ConnectionRefused.because(
            gettext_noop("This SAML connection has no metadata URL to refresh from.")
        )
    url = current.saml_idp_metadata_url
    metadata = metadata_fetch(url)
    entity_id, _sso_url = idp_metadata_read(metadata)
    with transaction.atomic():
        connection = Connection.objects.select_for_update().get(pk=current.pk)
        if not connection.is_saml or connection.saml_idp_metadata_url != url:
            raise ConnectionRefused.because(
                gettext_noop("The SAML connection changed meanwhile. Try again.")
            )
        changed = metadata != connection.saml_idp_metadata
        before = {"saml_idp_entity_id": connection.saml_idp_entity_id}
        connection.saml_idp_metadata = metadata
        connection.saml_idp_entity_id = entity_id
        connection.saml_idp_metadata_fetched_at = timezone.now()
        connection.saml_idp_metadata_failing_since = None  # read again: no longer failing
        connection.saml_idp_metadata_error = ""
        connection.saml_idp_metadata_error_params = {}
        connection.save(
            update_fields=[
                "saml_idp_metadata",
                "saml_idp_entity_id",
                "saml_idp_metadata_fetched_at",
                "saml_idp_metadata_failing_since",
                "saml_idp_metadata_error",
                "saml_idp_metadata_error_params",
                "updated_at",
            ]
        )
        if acting_user is None and not changed:
            return connection
        audit_record(
            tenant=tenant,
            action=SsoAction.METADATA_REFRESHED,
            acting_user=acting_user,
            target=connection,
            before=before,
            after={
                "saml_idp_entity_id": entity_id,
                "idp_metadata": IdpMetadata.CHANGED if changed else IdpMetadata.UNCHANGED,
                "saml_idp_metadata_url": url,
            },
        )
    return connection


def saml_claims(*, connection: Connection, verified: dict[str, Any]) -> dict[str, Any]:
    """The claims of a verified assertion under the connection's attribute mapping:
    the NameID is the subject; the email is the mapped attribute, else the NameID."""
    attributes: dict[str, list[str]] = verified["attributes"]
    if not verified["name_id"]:
        raise SignInRefused(_("The identity provider sent no NameID."))

    def first(name: str) -> str:
        values = attributes.get(name) if name else None
        return values[0] if values else ""

    email = first(connection.saml_attr_email) or verified["name_id"]
    name = " ".join(
        part
        for part in (first(connection.saml_attr_first_name), first(connection.saml_attr_last_name))
        if part
    )
    groups = attributes.get(connection.saml_attr_groups, []) if connection.saml_attr_groups else []
    return {"sub": verified["name_id"], "email": email, "name": name, "groups": groups}


# --- re-authentication and "Test connection" ------------------------------------------
# The IdP's Response reaches the ACS as a cross-site POST, without the SameSite=Lax
# session cookie: the ACS cannot know whose session it is for. It verifies the Response
# as for a sign-in, keeps the outcome here for a minute, and the browser collects it on
# a same-site GET (sso.views_saml.saml_finish), where the session is back.

OUTCOME_LIFETIME = 60  # seconds between the ACS and the finish view
# A sign-in started at the IdP waits for its person to read "Continue as …?" and press.
CONFIRM_LIFETIME = 5 * 60


@dataclass(frozen=True)
class SamlOutcome:
    """A verified assertion waiting for its finish view, and what it was started for."""

    connection_id: int
    purpose: str  # "reauth", "test" or "idp" (a sign-in started at the IdP, to confirm)
    user_id: int | None  # who started it (the session's user then)
    session: str  # sso.flow_cookie.session_binding of the session that started it
    next_url: str
    claims: dict[str, Any]  # saml_claims: what the mapping made of the assertion
    attributes: dict[str, list[str]]  # as received, for the test's result
    expires: float


def saml_outcome_keep(
    *,
    connection: Connection,
    purpose: str,
    user_id: int | None,
    session: str,
    next_url: str,
    verified: dict[str, Any],
    lifetime: int = OUTCOME_LIFETIME,
) -> str:
    """Keep a verified assertion for `lifetime` seconds; the token names it, once."""
    token = secrets.token_urlsafe(32)
    outcome = SamlOutcome(
        connection_id=connection.pk,
        purpose=purpose,
        user_id=user_id,
        session=session,
        next_url=next_url,
        claims=saml_claims(connection=connection, verified=verified),
        attributes=verified["attributes"],
        expires=time.time() + lifetime,
    )
    cache.set(f"sso:saml:outcome:{token}", outcome, lifetime)
    return token


def saml_outcome_peek(*, token: str, connection: Connection) -> SamlOutcome | None:
    """The outcome `token` names, left in place (the confirmation page shows it; only
    its POST takes it). None as for saml_outcome_take."""
    outcome = cache.get(f"sso:saml:outcome:{token}") if token else None
    if not isinstance(outcome, SamlOutcome) or outcome.connection_id != connection.pk:
        return None
    return outcome if outcome.expires >= time.time() else None


def saml_outcome_take(*, token: str, connection: Connection) -> SamlOutcome | None:
    """The outcome `token` names, once: whoever deletes it first has it (a second
    finish, a copy of the cookie, finds nothing). None when unknown, used, expired or
    kept for another connection."""
    if not token:
        return None
    key = f"sso:saml:outcome:{token}"
    outcome = cache.get(key)
    if not isinstance(outcome, SamlOutcome) or not cache.delete(key):
        return None
    if outcome.connection_id != connection.pk or outcome.expires < time.time():
        return None
    return outcome


@dataclass(frozen=True)
class MetadataRefreshed:
    """What the daily refresh did for one organisation: whether the metadata changed, or
    why it could not be read (`error`: the stored metadata was kept)."""

    tenant_id: int
    tenant_name: str
    changed: bool = False
    error: str = ""

    def describe(self) -> str:
        if self.error:
            what = f"{self.error} (the stored metadata is kept)"
        else:
            what = "changed" if self.changed else "unchanged"
        return f"{self.tenant_name} (#{self.tenant_id}): {what}"


def saml_metadata_refresh_all() -> list[MetadataRefreshed]:
    """Every live organisation's SAML metadata URL, read again (the `sso_saml_metadata`
    job, daily): IdPs publish a new signing certificate there before they sign with it,
    and a connection that waits for its owner to press "Refresh metadata" stops signing
    anyone in on the day of the rollover. One IdP failing neither stops the others nor
    loses what is stored; the failure is logged, kept on the connection (its settings
    page says so) and returned, and the first of a run of them emails the owners."""
    connections = Connection.objects.filter(
        protocol=Connection.Protocol.SAML, tenant__deleted_at__isnull=True
    ).exclude(saml_idp_metadata_url="")
    results = []
    for connection in connections.select_related("tenant").order_by("pk"):
        tenant = connection.tenant
        try:
            refreshed = saml_metadata_refresh(tenant=tenant, acting_user=None)
        except ConnectionRefused as error:
            logger.warning(
                "SAML metadata of tenant %s not refreshed from %s: %s",
                tenant.pk,
                connection.saml_idp_metadata_url,
                error,
            )
            _metadata_read_failed(connection=connection, error=error)
            results.append(MetadataRefreshed(tenant.pk, tenant.name, error=str(error)))
            continue
        changed = refreshed.saml_idp_metadata != connection.saml_idp_metadata
        results.append(MetadataRefreshed(tenant.pk, tenant.name, changed=changed))
    return results


def _metadata_read_failed(*, connection: Connection, error: ConnectionRefused) -> None:
    """Keep a failed daily read on the connection. The first of a run of failures emails
    the owners: sign-in goes on with the stored metadata, but only they can fix the URL
    (or upload the XML) before the IdP signs with a certificate it does not hold. The
    next days' failures only update the reason; a good read ends the run. The reason is
    kept untranslated (the job has no reader's language), each reader gets theirs."""
    text, params = error.kept or (str(error), {})
    with transaction.atomic():
        row = (
            Connection.objects.select_for_update()
            .select_related("tenant")
            .filter(pk=connection.pk, saml_idp_metadata_url=connection.saml_idp_metadata_url)
            .first()
        )
        if row is None:  # removed or given other metadata meanwhile: nothing left failing
            return
        starts = row.saml_idp_metadata_failing_since is None
        if starts:
            row.saml_idp_metadata_failing_since = timezone.now()
        row.saml_idp_metadata_error = text[:500]
        row.saml_idp_metadata_error_params = params
        row.save(
            update_fields=[
                "saml_idp_metadata_failing_since",
                "saml_idp_metadata_error",
                "saml_idp_metadata_error_params",
            ]
        )
        if starts:
            _tell_owners_metadata_unreadable(row)


def _tell_owners_metadata_unreadable(connection: Connection) -> None:
    owners_notify(
        tenant=connection.tenant,
        template="sso/email/metadata_unreadable",
        context={
            "metadata_url": connection.saml_idp_metadata_url,
            "error": said_later(lambda: connection.saml_idp_metadata_error_said),
            "url": absolute_url("sso_settings:connection", connection.tenant.slug),  # the button
        },
    )
