"""An organisation's OIDC connection: save it (discovery checked), record tests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.plans import plan_require
from core.audit import audit_record
from sso.audit import SsoAction
from sso.crypto import client_secret_encrypt
from sso.exceptions import ConnectionRefused, IssuerRefused
from sso.models import Connection
from sso.protocol import discover, issuer_check
from tenants.services._common import assert_in_tenant

if TYPE_CHECKING:
    from accounts.models import User
    from tenants.models import Role, Tenant

FIELDS = (
    "protocol",
    "issuer",
    "client_id",
    "scopes",
    "require_sso",
    "auto_join",
    "join_requests",
    "sync_teams_from_groups",
)


def _state(connection: Connection) -> dict[str, Any]:
    return {
        **{name: getattr(connection, name) for name in FIELDS},
        "default_role": connection.role_for_new_members().name,
    }


@transaction.atomic
def connection_save(
    *,
    tenant: Tenant,
    acting_user: User,
    issuer: str,
    client_id: str,
    client_secret: str,
    scopes: str,
    default_role: Role,
    require_sso: bool,
    auto_join: bool,
    join_requests: bool = False,
    sync_teams_from_groups: bool = False,
) -> Connection:
    """Create or change `tenant`'s connection. The issuer must answer discovery; an
    empty `client_secret` keeps the stored one (it is never shown again). The plan must
    include SSO (PlanLimitReached); a connection saved before a downgrade keeps signing
    people in, it only cannot be changed."""
    if not tenant.is_org:
        raise ConnectionRefused(_("Only organisations can set up single sign-on."))
    plan_require(tenant=tenant, feature="sso")
    assert_in_tenant(tenant, default_role)
    if default_role.is_owner:
        raise ConnectionRefused(_("New members cannot be made owners automatically."))
    issuer = issuer_check(issuer)
    if "{tenantid}" in discover(issuer).issuer:
        raise IssuerRefused(
            _(
                "This issuer signs in people of every Microsoft Entra tenant, not only "
                "yours. Enter your own tenant's issuer: "
                "https://login.microsoftonline.com/<your tenant ID>/v2.0."
            )
        )
    scope_list = scopes.split()
    if "openid" not in scope_list:
        scope_list.insert(0, "openid")
    connection = Connection.objects.select_for_update().filter(tenant=tenant).first()
    before = _state(connection) if connection else None
    if connection is None:
        connection = Connection(tenant=tenant)
    if not client_secret and not connection.client_secret_encrypted:
        raise ConnectionRefused(_("Enter the client secret."))
    connection.protocol = Connection.Protocol.OIDC  # a SAML connection becomes OIDC
    connection.issuer = issuer
    connection.client_id = client_id.strip()
    connection.scopes = " ".join(dict.fromkeys(scope_list))
    connection.default_role = default_role
    connection.require_sso = require_sso
    connection.auto_join = auto_join
    connection.join_requests = join_requests
    connection.sync_teams_from_groups = sync_teams_from_groups
    if client_secret:
        connection.client_secret_encrypted = client_secret_encrypt(client_secret)
    connection.full_clean()
    connection.save()
    after = _state(connection) | ({"client_secret": "changed"} if client_secret else {})
    audit_record(
        tenant=tenant,
        action=SsoAction.CONNECTION_CHANGED if before else SsoAction.CONNECTION_CREATED,
        acting_user=acting_user,
        target=connection,
        before=before,
        after=after,
    )
    return connection


@transaction.atomic
def connection_tested(
    *, connection: Connection, acting_user: User, claims: dict[str, Any]
) -> Connection:
    """Record a successful "Test connection" round trip (which claims came back)."""
    connection.last_tested_at = timezone.now()
    connection.save(update_fields=["last_tested_at"])
    audit_record(
        tenant=connection.tenant,
        action=SsoAction.CONNECTION_TESTED,
        acting_user=acting_user,
        target=connection,
        after={"claims": sorted(claims)},
    )
    return connection
