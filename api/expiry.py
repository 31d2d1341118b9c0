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
from core.members import members_who_can_act
from tenants.models import Membership
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
        maker = _maker(key)
        if not maker:
            # Stopped already (401 since its maker left or was suspended): not "expires
            # soon", as the keys page does not say it either.
            continue
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


def _maker(key: ApiKey) -> list[str]:
    """Who made the key, while they are still an active member of its organisation by
    the membership it was made under (api.selectors: a key does not outlive it)."""
    if key.created_by is None:
        return []
    member = Membership.objects.for_tenant(key.tenant).filter(
        members_who_can_act(), user=key.created_by, joined_at__lte=key.created_at
    )
    return [key.created_by.email] if member.exists() else []
