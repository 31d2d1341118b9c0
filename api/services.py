"""API-key actions: create (the key is shown once), revoke, and note its use."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.audit import ApiKeyAction
from api.exceptions import ApiKeyError, ApiKeyNameTaken, ApiKeyScopeError
from api.keys import key_generate
from api.models import ApiKey
from api.scopes import API_SCOPES
from billing.plans import plan_require
from core.audit import audit_record
from core.permissions import permission_names
from tenants.services._common import acting_role, assert_in_tenant

if TYPE_CHECKING:
    from accounts.models import User
    from tenants.models import Role, Tenant

# Like sessions' activity: a busy key costs one UPDATE per interval, not one per request.
TOUCH_INTERVAL = timedelta(minutes=5)


@transaction.atomic
def api_key_create(
    *,
    tenant: Tenant,
    name: str,
    scopes: list[str],
    expires_at: datetime | None,
    acting_user: User,
) -> tuple[ApiKey, str]:
    """A new key for the organisation and the whole key, which is never shown again.

    Its scopes are a subset of what the creator's role holds now: a key never carries
    more than the person who made it. The plan must include API keys (PlanLimitReached).
    """
    if tenant.is_personal:
        raise ApiKeyError(_("API keys belong to organisations. Create an organisation first."))
    plan_require(tenant=tenant, feature="api_keys")
    name = name.strip()
    if not name:
        raise ApiKeyError(_("Give the key a name, so you recognise it later."))
    unknown = set(scopes) - set(API_SCOPES)
    if unknown:
        raise ApiKeyError(_("Unknown scopes: %(scopes)s.") % {"scopes": ", ".join(sorted(unknown))})
    role = acting_role(tenant=tenant, acting_user=acting_user)
    assert role is not None  # acting_user is given, so this is a role or NotAMemberError
    beyond = set(scopes) - set(role.permissions)
    if beyond:
        raise ApiKeyScopeError(
            _("A key cannot hold permissions your role does not have: %(permissions)s.")
            % {"permissions": ", ".join(permission_names(beyond))}
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise ApiKeyError(_("The expiry date must be in the future."))
    raw, public_id, digest = key_generate()
    key = ApiKey(
        tenant=tenant,
        name=name,
        public_id=public_id,
        secret_hash=digest,
        scopes=[code for code in API_SCOPES if code in set(scopes)],
        created_by=acting_user,
        expires_at=expires_at,
    )
    key.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            key.save()
    except IntegrityError:
        raise ApiKeyNameTaken(
            _("A key named “%(name)s” already exists. Choose another name.") % {"name": name}
        ) from None
    audit_record(
        tenant=tenant,
        action=ApiKeyAction.CREATED,
        acting_user=acting_user,
        target=key,
        target_label=name,
        after={
            "permissions": key.scopes,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return key, raw


def api_key_in_reach(*, key: ApiKey, actor: Role | None, user_id: int | None) -> bool:
    """Whether `actor` may revoke `key`: its creator, an owner, or a role holding every
    permission the key does (one they could have made), as `role_in_reach` keeps people
    off what a more powerful member holds: an owner's integration is not stopped by a
    member whose role lacks what it does. None is staff in the admin or a command. The
    service enforces it and the page asks it which Revoke buttons to show."""
    if actor is None or actor.is_owner or key.created_by_id == user_id:
        return True
    return set(key.scopes) <= set(actor.permissions)


@transaction.atomic
def api_key_revoke(
    *, tenant: Tenant, key: ApiKey, acting_user: User | None, acting_role: Role | None
) -> ApiKey:
    """Stop the key at once: its next request gets 401. `acting_role` is the acting
    member's role (None: staff in the admin, a command), held to `api_key_in_reach`."""
    assert_in_tenant(tenant, key)
    if not api_key_in_reach(
        key=key, actor=acting_role, user_id=acting_user.pk if acting_user else None
    ):
        raise ApiKeyScopeError(
            _(
                "Only an owner, the person who created the key “%(name)s”, or someone whose "
                "role has all its permissions can revoke it."
            )
            % {"name": key.name}
        )
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit_record(
            tenant=tenant,
            action=ApiKeyAction.REVOKED,
            acting_user=acting_user,
            target=key,
            target_label=key.name,
        )
    return key


def api_key_touch(*, key: ApiKey, ip: str | None, now: datetime | None = None) -> bool:
    """Note when and from where the key was used, at most once per TOUCH_INTERVAL
    (whether this request wrote is returned; no query when it is not due)."""
    now = now or timezone.now()
    if key.last_used_at is not None and now - key.last_used_at < TOUCH_INTERVAL:
        return False
    ip = ip if ip and ip != "0.0.0.0" else None  # noqa: S104 - client_ip's "unknown"
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=now, last_used_ip=ip)
    key.last_used_at, key.last_used_ip = now, ip
    return True
