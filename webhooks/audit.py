"""The audit actions of webhook endpoints (registered in webhooks/apps.py)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# Where the audit log's action menu lists these (core/audit_actions.py).
GROUP = _("API & webhooks")


class WebhookAction(models.TextChoices):
    ENDPOINT_CREATED = "webhook.created", _("Webhook endpoint added")
    ENDPOINT_UPDATED = "webhook.updated", _("Webhook endpoint changed")
    ENDPOINT_DELETED = "webhook.deleted", _("Webhook endpoint removed")
    ENDPOINT_ENABLED = "webhook.enabled", _("Webhook endpoint turned back on")
    SECRET_ROTATED = "webhook.secret_rotated", _("Webhook secret rotated")
    ENDPOINT_PAUSED = "webhook.paused", _("Webhook endpoint paused")
    ENDPOINT_RESUMED = "webhook.resumed", _("Webhook endpoint resumed")
    TEST_SENT = "webhook.test_sent", _("Webhook test event sent")
    DELIVERY_RESENT = "webhook.delivery_resent", _("Webhook delivery sent again")


# What the audit log page calls the keys of these events' before/after.
FIELDS = {
    "events": _("Events"),
    "url": _("URL"),
    "description": _("Description"),
    "events_added": _("Events added"),
    "events_removed": _("Events removed"),
    "message_id": _("Message ID"),
}
