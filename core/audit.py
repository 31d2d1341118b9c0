"""The audit log's one writer: `audit_record`, called inside each service's transaction.

Services call it next to the change they make, so the event commits (or rolls
back) with the change itself. The actor's IP comes from `request` or `ip=` when
the caller has them; for services called from a view without a request in
hand, `AuditContextMiddleware` remembers how to get the client IP of the current
request in a context variable (a function, called only when an event is written:
most requests write none). That variable yields the IP only, never the tenant or
the user: scoping stays explicit. A second one, set by `audit_actor_label`, names a
non-person actor (an API key) for every event written while it is set; it labels
rows, it never grants or scopes anything.
While support views the app as someone, a third variable names the staff member,
so each event carries both identities.

Events about a person rather than a workspace (a session staff revoked, a deleted
account, a staff edit of a user) go to that person's personal workspace through
`audit_record_for_user`, so the apps below tenancy never look a tenant up themselves.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext

from core.audit_actions import audit_action_exists
from core.client_ip import client_ip, client_ip_once
from core.models import AuditEvent

if TYPE_CHECKING:
    from accounts.models import User
    from tenants.models import Tenant

_request_ip: contextvars.ContextVar[Callable[[], str] | None] = contextvars.ContextVar(
    "audit_request_ip", default=None
)
# The staff member behind this request's user while support views the app as someone
# (set by support.middleware). Attribution only: nothing reads it to decide access.
_impersonator_id: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "audit_impersonator_id", default=None
)


def audit_impersonator_set(user_id: int | None) -> contextvars.Token[int | None]:
    """Every event written until `audit_impersonator_reset` names this staff member too."""
    return _impersonator_id.set(user_id)


def audit_impersonator_reset(token: contextvars.Token[int | None]) -> None:
    _impersonator_id.reset(token)


_actor_label: contextvars.ContextVar[str] = contextvars.ContextVar("audit_actor_label", default="")


@contextlib.contextmanager
def audit_actor_label(label: str) -> Iterator[None]:
    """Events recorded inside name `label` as their actor ("API key Zapier"): an API
    request acts as the organisation, with no person, through the pages' services."""
    token = _actor_label.set(label[:120])
    try:
        yield
    finally:
        _actor_label.reset(token)


# How an API key's events name their actor, stored in English (the API's `actor` filter
# and exports read it as stored); `actor_label_said` says it in the reader's language.
API_KEY_ACTOR = "API key "


def actor_label_said(label: str) -> str:
    """A stored actor label as the audit page shows it ("API key Zapier" →
    "API-Schlüssel Zapier"); a label of another kind as stored."""
    if label.startswith(API_KEY_ACTOR):
        return gettext("API key %(name)s") % {"name": label.removeprefix(API_KEY_ACTOR)}
    return label


def _label(target: models.Model) -> str:
    """A human label for the target as it is now (emails for people and memberships)."""
    email = getattr(target, "email", None)
    if email:
        return str(email)
    user = getattr(target, "user", None)
    if user is not None and getattr(user, "email", None):
        return str(user.email)
    return str(target)


def audit_record(
    *,
    tenant: Tenant,
    action: str,
    acting_user: User | None,
    target: models.Model | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    ip: str | None = None,
    target_label: str | None = None,
) -> AuditEvent:
    """Append one event to the tenant's audit log, in the caller's transaction.

    `acting_user` None means the system (a webhook, a command). `before`/`after`
    hold only the fields that changed, as JSON-able values.
    """
    if not audit_action_exists(action):
        raise ValueError(f"Unknown audit action {action!r}.")
    if ip is None:
        if request is not None:
            ip = client_ip(request)
        else:
            lazy_ip = _request_ip.get()
            ip = lazy_ip() if lazy_ip is not None else None
    if acting_user is not None and not acting_user.is_authenticated:
        acting_user = None
    event = AuditEvent(
        tenant=tenant,
        actor=acting_user,
        actor_label=_actor_label.get(),
        impersonator_id=_impersonator_id.get(),
        # "0.0.0.0" is client_ip's "nothing usable", not an address.
        actor_ip=ip if ip and ip != "0.0.0.0" else None,  # noqa: S104
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None and target.pk is not None else "",
        target_label=(target_label or (_label(target) if target is not None else ""))[:255],
        before=before,
        after=after,
    )
    event.save()
    return event


def audit_changed(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """`before` and `after` cut to the keys whose value differs, for an event of an edit
    that saves several fields at once: a rename alone must not log "Parent team: — → —".
    Both empty when nothing changed (then write no event)."""
    changed = [key for key in before if before[key] != after.get(key)]
    return {key: before[key] for key in changed}, {key: after.get(key) for key in changed}


def personal_tenant_of(*, user_id: int) -> Tenant | None:
    """The user's personal workspace, or None (a superuser made by createsuperuser)."""
    # Through the audit log's own foreign key: core sits below tenants and never imports it.
    tenant_model = AuditEvent._meta.get_field("tenant").related_model
    # The related model is Tenant, which core may name only for type checking.
    return cast(
        "Tenant | None", tenant_model._default_manager.filter(personal_owner_id=user_id).first()
    )


def audit_record_for_user(*, user_id: int, **event: Any) -> AuditEvent | None:
    """`audit_record` (same keyword arguments but `tenant`) for an event about a person:
    it goes to their personal workspace's log (one query to find it); nothing is
    written for a user who has none."""
    tenant = personal_tenant_of(user_id=user_id)
    if tenant is None:
        return None
    return audit_record(tenant=tenant, **event)


class AuditContextMiddleware:
    """Remembers this request's client IP for audit events written deeper down."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request_ip.set(partial(client_ip_once, request))
        try:
            return self.get_response(request)
        finally:
            _request_ip.reset(token)
