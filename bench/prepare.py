"""Signed-in identities for the benchmark, made with the app's own code.

Run under the same environment (and so the same SESSION_SECRET) as the gunicorn
instances: cookies are signed per run, so they are made fresh each run while the
seeded volume is re-used. Prints one JSON document on stdout.

For each of N seeded users who belong to an organisation (the first DEVICE_USERS of
them signed in on DEVICE_SESSIONS browsers): a Pacetrack session cookie (`login()` through the
configured session engine, as Django's test client does it), a stock
`django.contrib.sessions` cookie for the reference pages, the user's personal
tenant slug and the slug of one of their organisations. Also uploads one avatar
through the uploads app.
"""

from __future__ import annotations

import io
import json
import sys
from collections import Counter
from typing import Any

from bench.seed import SEED_DOMAIN, setup_django

# The devices page is measured for users with this many signed-in browsers.
DEVICE_USERS = 100
DEVICE_SESSIONS = 20


def stock_session(user: Any) -> str:
    """A django.contrib.sessions row signed in exactly as `login()` would sign it in."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    assert store.session_key is not None  # create() just saved it under a new key
    return store.session_key


def pacetrack_cookie(user: Any) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def png_bytes(size: int = 256) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (size, size), (37, 99, 235)).save(buf, format="PNG")
    return buf.getvalue()


def avatar_upload(user: Any) -> dict[str, Any]:
    """Give the user an avatar through the uploads app's own service; describe the result."""
    try:
        from uploads.images import image_normalize
        from uploads.services import avatar_update
    except ImportError as exc:
        return {"status": "missing", "reason": f"uploads avatar service not present ({exc})"}
    data = png_bytes()
    image = image_normalize(io.BytesIO(data), filename="avatar.png", size=len(data))
    upload = avatar_update(user=user, image=image)
    return {"status": "ok", "path": upload.url, "etag": f'"{upload.checksum}"', "key": upload.key}


def api_key(user: Any, org_slug: str) -> str | None:
    """An API key of the identity's organisation (for GET /api/v1/members), made through
    the api app's service; None where the app is absent (an older checkout)."""
    try:
        from api.models import ApiKey
        from api.services import api_key_create, api_key_revoke
    except ImportError:
        return None
    from tenants.models import Tenant

    tenant = Tenant.objects.get(slug=org_slug)
    name = f"bench {user.pk}"
    # A re-used volume keeps the last run's key, whose secret is gone (only its hash is
    # stored) and whose live name is unique: revoke it and make a new one.
    for old in ApiKey.objects.filter(tenant=tenant, name=name, revoked_at__isnull=True):
        api_key_revoke(tenant=tenant, key=old, acting_user=user, acting_role=None)
    _, raw = api_key_create(
        tenant=tenant,
        name=name,
        scopes=[],
        expires_at=None,
        acting_user=user,
    )
    return raw


def full_activity(user: Any, org_slug: str) -> None:
    """Fill the org overview's activity card for this viewer before anything is measured.

    The card shows the newest PREVIEW_ACTIVITY events the viewer may see (everyone's, or
    only their own without audit.view). The seed writes none and every run's `api_key`
    adds two by the viewer, so the measured page changed from run to run on one volume:
    empty on a fresh one, full after a few runs (30 kB against 19 kB of HTML, about
    10% more CPU, docs/performance.md). Events by the viewer count for both kinds."""
    from core.audit import audit_record
    from core.models import AuditEvent
    from tenants.audit import TenantAction
    from tenants.models import Membership
    from tenants.selectors_overview import PREVIEW_ACTIVITY

    membership = Membership.objects.select_related("tenant").get(user=user, tenant__slug=org_slug)
    seen = AuditEvent.objects.filter(tenant=membership.tenant, actor=user).count()
    for _ in range(PREVIEW_ACTIVITY - seen):
        audit_record(
            tenant=membership.tenant,
            action=TenantAction.MEMBER_JOINED,
            acting_user=user,
            target=membership,
        )


def main(argv: list[str] | None = None) -> int:
    count = int((argv or sys.argv[1:] or ["300"])[0])
    setup_django()
    from django.apps import apps
    from django.conf import settings

    from accounts.models import User
    from sessions_app.models import Session
    from sessions_app.services import session_revoke_all_for_user
    from tenants.models import Membership, Tenant

    # Users who belong to an organisation: each page is measured for the same people.
    org_slugs: dict[int, str] = {}
    for user_id, slug in (
        Membership.objects.filter(
            user__email__endswith=f"@{SEED_DOMAIN}", tenant__personal_owner__isnull=True
        )
        .order_by("user_id", "tenant_id")
        .values_list("user_id", "tenant__slug")
    ):
        org_slugs.setdefault(user_id, slug)
    users = list(User.objects.filter(pk__in=list(org_slugs)).order_by("id")[:count])
    slugs = dict(
        Tenant.objects.filter(personal_owner__in=users).values_list("personal_owner_id", "slug")
    )
    identities = []
    for index, user in enumerate(users):
        if index < DEVICE_USERS:
            # Exactly DEVICE_SESSIONS live rows: the seed gave everyone some sessions and an
            # earlier run on this volume its own 20, which the devices page would list too
            # (it rendered ~40 rows before this). Revoked rows stay, as they would in use.
            session_revoke_all_for_user(user=user, reason=Session.RevokedReason.SIGNED_OUT)
            # Other browsers first, so the cookie below is the newest of 20 sessions.
            for _ in range(DEVICE_SESSIONS - 1):
                pacetrack_cookie(user)
        full_activity(user, org_slugs[user.pk])
        identities.append(
            {
                "email": user.email,
                "slug": slugs[user.pk],
                "org_slug": org_slugs[user.pk],
                "devices": DEVICE_SESSIONS if index < DEVICE_USERS else 1,
                "cookie": pacetrack_cookie(user),
                "stock_cookie": stock_session(user)
                if apps.is_installed("django.contrib.sessions")
                else None,
                "api_key": api_key(user, org_slugs[user.pk]),
            }
        )
    live = Counter(
        Session.objects.filter(user__in=users[:DEVICE_USERS], revoked_at__isnull=True).values_list(
            "user_id", flat=True
        )
    )
    if set(live.values()) != {DEVICE_SESSIONS}:
        raise SystemExit(f"devices page users need {DEVICE_SESSIONS} live sessions: {live}")
    avatar_user = users[0]
    print(
        json.dumps(
            {
                "cookie_name": settings.SESSION_COOKIE_NAME,
                "session_engine": settings.SESSION_ENGINE,
                "middleware": settings.MIDDLEWARE,
                "identities": identities,
                "avatar": avatar_upload(avatar_user),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
