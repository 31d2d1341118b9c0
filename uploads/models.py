"""One row per stored object: the row is the source of truth for serving.

`/serve` answers from the row alone (Content-Type, ETag, who may see it), so a
conditional request never touches storage, and an object without a row is an
orphan that `cleanup_orphan_uploads` may remove.
"""

from __future__ import annotations

from typing import Self

from django.conf import settings
from django.db import models

from core.models import TenantOwnedQuerySet
from uploads.keys import upload_url


class UploadQuerySet(TenantOwnedQuerySet):
    def files(self) -> Self:
        """General tenant files (not avatars or logos)."""
        return self.filter(kind=Upload.Kind.FILE)


class Upload(models.Model):
    class Kind(models.TextChoices):
        AVATAR = "avatar", "Avatar"
        LOGO = "logo", "Logo"
        FILE = "file", "File"

    # CASCADE: tenants are soft-deleted; a hard delete leaves objects that
    # cleanup_orphan_uploads removes once their rows are gone.
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="uploads")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="uploads",
    )
    # Who uploaded it when no person did: an API key ("API key CLI", as its audit
    # events name it). Kept as text: the key may be deleted, the file stays.
    uploaded_by_label = models.CharField(max_length=120, blank=True, default="", db_default="")
    # `tenant-<id>/<nanoid21>.<ext>`, built only by uploads.keys.upload_key_build.
    # Unique per tenant in the database (what a distributed table can enforce); the
    # nanoid makes it unique everywhere. Indexed for /serve's lookup by key.
    key = models.CharField(max_length=255, db_index=True)
    original_filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    # SHA-256 of the stored bytes, hex; served (quoted) as the ETag.
    checksum = models.CharField(max_length=64)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = UploadQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["tenant", "kind", "-created_at"])]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "key"], name="uploads_upload_unique_key"),
            models.CheckConstraint(
                condition=models.Q(kind__in=["avatar", "logo", "file"]),
                name="uploads_upload_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def is_public(self) -> bool:
        """Avatars and logos are images we produced and anyone may load them."""
        return self.kind in (self.Kind.AVATAR, self.Kind.LOGO)

    @property
    def extension(self) -> str:
        return self.key.rpartition(".")[2]

    @property
    def url(self) -> str:
        return upload_url(self.key)
