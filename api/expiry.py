"""Telling an organisation that one of its API keys expires soon.

A key that expires stops whatever uses it (a deploy script, a sync) with a 401, often
where nobody looks. A week before, the owners and whoever made the key are emailed, so
a new key can be put in its place first, and once more the day before if it is still
live (a week's notice is easy to put off); the keys page says it too. Keys that were
never used are left alone: nothing depends on them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.mail_delivery import absolute_url
from api.models import ApiKey
from api.selectors import api_key_creator_permissions
from tenants.owner_notices import owners_notify

# How long before a key's expiry its organisation is told: a week, then the day before.
EXPIRY_NOTICE = timedelta(days=7)
EXPIRY_NOTICES = (EXPIRY_NOTICE, timedelta(days=1))


def api_key_expires_soon(*, key: ApiKey, now: datetime | None = None) -> bool:
    """Usable now, and not after EXPIRY_NOTICE: the keys page marks it."""
    now = now or timezone.now()
    return (
        key.is_usable(now) and key.expires_at is not None and key.expires_at - now <= EXPIRY_NOTICE
    )


def api_keys_expiring_notify(*, now: datetime | None = None) -> list[ApiKey]:
    """Email about every used, live key (its maker still an active member by the
    membership it was made under) of a live organisation that entered one of
    EXPIRY_NOTICES' windows since it was last announced (the `api_keys_expiring` job,
    daily); the keys announced are returned."""
    now = now or timezone.now()
    due = (
        ApiKey.objects.filter(
            _notice_due(now),
            revoked_at__isnull=True,
            expires_at__gt=now,
            last_used_at__isnull=False,
            tenant__deleted_at__isnull=True,
        )
        .select_related("tenant", "created_by")
        .order_by("pk")
    )
    announced = []
    for key in due:
        # The keys page's rule for "stopped": its maker no longer an active member by
        # the membership it was made under (401 already), so not "expires soon" either.
        api_key_creator_permissions(tenant=key.tenant, keys=[key])
        if key.creator_permissions is None or key.created_by is None:
            continue
        maker = [key.created_by.email]
        with transaction.atomic():
            claimed = ApiKey.objects.filter(_notice_due(now), pk=key.pk).update(
                expiry_notice_sent_at=now
            )
            if not claimed:
                continue
            owners_notify(
                tenant=key.tenant,
                template="api/email/key_expiring",
                context={
                    "key_name": key.name,
                    "key_prefix": key.prefix,
                    "expires_at": key.expires_at,
                    "last_used_at": key.last_used_at,
                    "url": absolute_url("api-keys:list", key.tenant.slug),
                },
                also=maker,
            )
        announced.append(key)
    return announced


def _notice_due(now: datetime) -> Q:
    """Inside a notice's window, and not told since that window opened (a key made
    three days before its expiry is told at once, then the day before)."""
    due = Q()
    for window in EXPIRY_NOTICES:
        untold = Q(expiry_notice_sent_at__isnull=True) | Q(
            expiry_notice_sent_at__lt=F("expires_at") - window
        )
        due |= Q(expires_at__lte=now + window) & untold
    return due
