"""Every API request, before its operation runs: the key, its rate limit, its audit name.

`key_pipeline` wraps each operation (a ninja "view" decorator, so it runs before
parameters are parsed): an absent, unknown, revoked or expired key gets 401, a key of
an organisation whose plan lacks API keys 403, a key over its plan's rate 429 (all
`application/problem+json`), and the operation then runs with `request.api_key`, as
"API key <name>" in the audit log, and answers with the `X-RateLimit-*` headers (and,
for a key that expires, `API-Key-Expires`). The `KeyBearer` below tells ninja (and the
OpenAPI schema) that operations need the bearer key, reads what the pipeline found and,
for an operation that needs a permission (`KeyBearer(scope=...)`), refuses a key without
it before ninja reads the operation's parameters. A key holds its scopes only while its
creator's role does: a demotion narrows it, and a creator who is no longer an active
member stops it (401). A creator whom the organisation's two-factor requirement shuts
out of its pages pauses it (403) until they set up a second factor.

Sessions play no part: a browser's cookie never authenticates an API request, so the
API needs no CSRF protection and cross-site requests can do nothing with it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from functools import wraps
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from ninja.security import HttpBearer

from api.idempotency import idempotent
from api.models import ApiKey
from api.problems import problem
from api.selectors import api_key_for_secret, permissions_in_effect
from api.services import api_key_touch
from billing.exceptions import PlanLimitReached
from billing.plans import plan_for_tenant, plan_require
from core.audit import audit_actor_label
from core.cache_headers import private_no_store
from core.client_ip import client_ip
from core.permissions import permission_names
from core.security_log import security_event
from ratelimit.rates import parse_rate
from ratelimit.responses import apply_headers
from ratelimit.services import ratelimit_consume
from tenants.models import Role

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="api"'}
# When the key stops working, on every answer made with a key that expires (RFC 3339).
KEY_EXPIRES_HEADER = "API-Key-Expires"


class ApiRequest(HttpRequest):
    api_key: ApiKey
    api_role: Role


def key_role(key: ApiKey, permissions: list[str]) -> Role:
    """The key as a role (never saved): `permissions` (its scopes its creator still
    holds) are its permissions, and it is no owner, so the tenancy rules
    (`role_in_reach`) keep it below every owner."""
    return Role(tenant=key.tenant, name=str(key), key="", permissions=permissions)


def _unauthorized(request: HttpRequest, detail: str, reason: str) -> HttpResponse:
    security_event("api.unauthorized", reason=reason, ip=client_ip(request), path=request.path)
    return problem(401, detail, kind="unauthorized", headers=CHALLENGE)


def _authenticate(request: HttpRequest) -> ApiKey | HttpResponse:
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return _unauthorized(
            request, "Send your API key as `Authorization: Bearer pt_live_…`.", "missing"
        )
    key = api_key_for_secret(raw=raw.strip())
    if key is None:
        return _unauthorized(request, "This API key is not valid.", "invalid")
    if key.revoked_at is not None:
        return _unauthorized(request, "This API key was revoked.", "revoked")
    if not key.is_usable(timezone.now()):
        return _unauthorized(request, "This API key has expired.", "expired")
    if key.creator_permissions is None:
        return _unauthorized(
            request,
            "This API key stopped working: the person who created it is no longer an active "
            "member of the organisation. Ask an owner or admin for a new key.",
            "creator-gone",
        )
    if key.creator_needs_two_factor:
        # As the organisation's pages shut its creator out; kept, not revoked.
        security_event(
            "api.refused",
            reason="creator-without-two-factor",
            ip=client_ip(request),
            path=request.path,
        )
        return problem(
            403,
            "This API key is paused: the organisation requires two-factor authentication "
            "and the person who created it has not set it up. It works again once they do.",
            kind="two-factor-required",
        )
    return key


def _plan_refusal(key: ApiKey) -> HttpResponse | None:
    """403 while the organisation's plan lacks API keys (a downgrade): the key is kept,
    not revoked, and works again after an upgrade, so nothing has to be re-issued."""
    try:
        plan_require(tenant=key.tenant, feature="api_keys")
    except PlanLimitReached as exc:
        detail = " ".join(
            [exc.message, gettext("This key is kept and works again after an upgrade.")]
        )
        return problem(403, detail, kind="plan-limit")
    return None


def key_pipeline(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(run)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        found = _authenticate(request)
        if isinstance(found, HttpResponse):
            return found
        key = found
        refused = _plan_refusal(key)
        if refused is not None:
            return refused
        plan_rate = plan_for_tenant(key.tenant).api_rate
        usage = ratelimit_consume(
            tier="api",
            identity=f"key:{key.pk}",
            rate=parse_rate(plan_rate) if plan_rate else None,
        )
        if usage is not None and not usage.allowed:
            security_event("ratelimit.refused", tier="api", key_type="api_key", path=request.path)
            return apply_headers(
                problem(
                    429,
                    f"This key made too many requests. Retry in {usage.retry_after} s.",
                    kind="rate-limited",
                ),
                usage,
            )
        request.api_key = key  # type: ignore[attr-defined]
        in_effect = permissions_in_effect(
            scopes=key.scopes, creator_permissions=key.creator_permissions
        )
        request.api_role = key_role(key, in_effect or [])  # type: ignore[attr-defined]
        with audit_actor_label(str(key)):
            response = idempotent(run)(request, *args, **kwargs)
        if response.status_code == 204:  # ninja labels even no content as JSON
            del response["Content-Type"]
        api_key_touch(key=key, ip=client_ip(request))
        if key.expires_at is not None:  # seen by whoever runs the integration, in time
            response[KEY_EXPIRES_HEADER] = (
                key.expires_at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
            )
        # Answers hold the organisation's data and no cookie marks them private.
        private_no_store(response)
        return apply_headers(response, usage) if usage is not None else response

    return wrapped


class ScopeMissing(PermissionDenied):
    """The key lacks the permission this operation needs (403)."""


def require_scope(request: ApiRequest, code: str) -> None:
    """Refuse unless the key holds `code`: the pages' permission, the same check."""
    if not request.api_role.has_permission(code):
        raise ScopeMissing(
            f"This key does not have the “{permission_names([code])[0]}” permission ({code})."
        )


class KeyBearer(HttpBearer):
    """Declares the bearer key in the schema; `key_pipeline` did the checking.

    With `scope`, a key without that permission is refused (403) here, before ninja
    reads the operation's parameters: whatever it sent, a key that may not act gets
    403, not 422 describing the body it should send."""

    def __init__(self, *, scope: str = "") -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        key: ApiKey | None = getattr(request, "api_key", None)
        if key is not None and self.scope:
            require_scope(cast(ApiRequest, request), self.scope)
        return key
