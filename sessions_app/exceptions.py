"""Session errors, mapped to HTTP status codes by Django."""

from __future__ import annotations

from django.core.exceptions import BadRequest


class SessionRevokeError(BadRequest):
    """A revoke request that cannot be honoured (400)."""
