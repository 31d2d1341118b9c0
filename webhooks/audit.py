"""The audit actions of webhook endpoints (registered in webhooks/apps.py)."""

from __future__ import annotations

from django.db import models


class WebhookAction(models.TextChoices):
    ENDPOINT_CREATED = "webhook.created", "Webhook endpoint added"
    ENDPOINT_DELETED = "webhook.deleted", "Webhook endpoint removed"
    ENDPOINT_ENABLED = "webhook.enabled", "Webhook endpoint turned back on"
    SECRET_ROTATED = "webhook.secret_rotated", "Webhook secret rotated"
