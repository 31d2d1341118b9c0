"""The audit actions of API keys (registered in api/apps.py)."""

from __future__ import annotations

from django.db import models


class ApiKeyAction(models.TextChoices):
    CREATED = "api_key.created", "API key created"
    REVOKED = "api_key.revoked", "API key revoked"
