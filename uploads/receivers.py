"""Uploads' answers to an account's life (accounts/signals.py): a few lines each."""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS

from accounts.models import User
from accounts.services_lifecycle import iso_or_none
from uploads.models import Upload
from uploads.services import avatar_remove


def on_account_deleting(sender: Any, user: User, **kwargs: Any) -> None:
    """The avatar goes with the account (the object is deleted after commit)."""
    if user.avatar:
        avatar_remove(user=user)


def on_account_export_requested(
    sender: Any, user: User, using: str = DEFAULT_DB_ALIAS, **kwargs: Any
) -> dict[str, Any]:
    """The files the person uploaded, for their data export."""
    uploads = Upload.objects.using(using).filter(uploaded_by=user).select_related("tenant")
    return {
        "uploads": [
            {
                "workspace": u.tenant.name,
                "filename": u.original_filename,
                "content_type": u.content_type,
                "size": u.size,
                "kind": u.kind,
                "created_at": iso_or_none(u.created_at),
            }
            for u in uploads
        ]
    }
