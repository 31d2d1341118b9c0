"""Organisation API keys and the answers to idempotent POSTs.

A key is `pt_live_<public_id>_<secret>`: the public id finds the row, the secret is
checked against its SHA-256 (the secret is 190 random bits, so a fast hash is enough:
nothing to brute-force), and the whole key is shown once, at creation.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models

from core.audit import API_KEY_ACTOR
from core.models import TenantOwnedQuerySet


class ApiKey(models.Model):
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=60)
    public_id = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    # Permission codes (core.permissions), a subset of the creator's at creation.
    scopes = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Written at most every API_KEY_TOUCH_INTERVAL (api.services.api_key_touch).
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)
    # When the owners were last told it expires soon (api.expiry: a week, then a day before).
    expiry_notice_sent_at = models.DateTimeField(null=True, blank=True)

    # What the creator's role holds now, None when they are no longer an active member
    # (api.selectors sets it for a request and for the keys page); not a column.
    creator_permissions: list[str] | None
    # Whether the organisation requires two-factor and its creator has none after the
    # grace period (set alongside creator_permissions); not a column.
    creator_needs_two_factor: bool
    # Set by the keys page for display; not columns.
    permission_names: list[str]
    held_back_names: list[str]
    creator_gone: bool
    paused: bool
    usable: bool
    expires_soon: bool
    in_reach: bool  # whether the viewer may revoke it (api.services.api_key_in_reach)

    objects = TenantOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "name"],
                condition=models.Q(revoked_at__isnull=True),
                name="api_apikey_unique_live_name",
            )
        ]

    def __str__(self) -> str:
        return f"{API_KEY_ACTOR}{self.name}"  # its audit actor label (core.audit)

    @property
    def prefix(self) -> str:
        """What pages show to recognise a key: never the secret."""
        return f"pt_live_{self.public_id}_…"

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class IdempotentResponse(models.Model):
    """The first answer to a POST sent with an `Idempotency-Key`, replayed for a repeat."""

    # Denormalised from the key (Citus co-location, docs/scaling.md): set by save().
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    idempotency_key = models.CharField(max_length=255)
    # Method and path (and a digest of the body): the same key on another request is refused.
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=100)
    body = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "api_key", "idempotency_key"], name="api_idempotency_unique"
            )
        ]

    def __str__(self) -> str:
        return self.idempotency_key

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.tenant_id is None:
            self.tenant_id = self.api_key.tenant_id
        super().save(*args, **kwargs)
