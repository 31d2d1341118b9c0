"""Webhook endpoints, the events queued for them, and every attempt to deliver one.

Secrets are kept encrypted (webhooks/crypto.py): signing needs them in clear, so
they cannot be hashed like API keys, and a copy of the database alone must not
let anyone forge our signatures.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.i18n import reason_said
from core.models import TenantOwnedQuerySet
from webhooks.transport import NEVER_CONNECTED, REWORDED


class Endpoint(models.Model):
    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    # Event types (webhooks.events.EVENT_TYPES) it receives.
    event_types = models.JSONField(default=list)
    secret = models.TextField()  # encrypted "whsec_…"
    # During a rotation the previous secret signs too, until previous_secret_expires_at.
    previous_secret = models.TextField(blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    # Off: turned off by the worker after RETRY_FOR of failures (disabled_reason says so).
    is_active = models.BooleanField(default=True)
    # Paused by a person: events raised meanwhile are not queued for it, and nothing is
    # sent (Pause/Resume on its page). Apart from is_active, which is the worker's verdict.
    paused_at = models.DateTimeField(null=True, blank=True)
    # Since when every attempt has failed (None while it works); 3 days of it disables.
    failing_since = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.url

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    @property
    def sends(self) -> bool:
        """Whether anything is sent to it now: on (not turned off after failures) and
        not paused. Events, test events and resends all ask this."""
        return self.is_active and not self.is_paused


class Delivery(models.Model):
    """One event for one endpoint: its payload, fixed at the event, and where it stands."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Failed")

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    message_id = models.CharField(max_length=40)  # the webhook-id header: the same on retries
    event_type = models.CharField(max_length=40)
    payload = models.TextField()  # the exact JSON body that is signed and sent
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)  # all of them, resends included
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField()  # the event's moment, shown in the log
    # Where its window of retries (delivery.RETRY_FOR) starts: the event, or the last
    # Resend, which must not rewrite when the event happened.
    retries_from = models.DateTimeField()
    # The attempts made before that window opened: a resent delivery's retries start
    # again at the schedule's first step (it waited 10 h after one more error).
    attempts_before_window = models.PositiveSmallIntegerField(default=0, db_default=0)
    # Until when a worker's attempt holds it (delivery._claim), None once recorded: a
    # Resend meanwhile would have sent it a second time, at once.
    claimed_until = models.DateTimeField(null=True, blank=True)

    objects = TenantOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint_id}"

    @property
    def send_overdue(self) -> bool:
        """Pending past its time: the worker is behind (or not running). The log said
        "next 3 minutes ago", a time past called next."""
        return self.next_attempt_at is not None and self.next_attempt_at <= timezone.now()

    @property
    def payload_indented(self) -> str:
        """The body for a person to read: sent as compact JSON, which is what is signed."""
        try:
            return json.dumps(json.loads(self.payload), indent=2, ensure_ascii=False)
        except ValueError:
            return self.payload


def kept_error_said(kept: dict[str, Any]) -> str:
    """An attempt's error of ours ({"text", "params", "refused", "policy"}) in the active
    language: a policy refusal says that nothing was sent, apart from the network's
    "refused the connection"."""
    said = reason_said(REWORDED.get(kept["text"], kept["text"]), kept["params"])
    if kept.get("policy"):
        return gettext("Not sent (address policy): %(reason)s") % {"reason": said}
    return gettext("Refused: %(reason)s") % {"reason": said} if kept["refused"] else said


# What in an HTTP library's message only we could read, never the endpoint's developer:
# object, connection and pool reprs (our sentence names the host and port), C source
# positions, file paths.
_INTERNALS = [
    # urllib3's ConnectTimeoutError: "(<HTTPConnection(host=…) at 0x…>, 'Connection to …')"
    (re.compile(r"\(<[^<>]* at 0x[0-9a-f]+>, '([^']*)'\)"), r"\1"),
    (re.compile(r"<[^<>]* at 0x[0-9a-f]+>(: )?"), ""),
    (re.compile(r"\w*Connection(?:Pool)?\(host=[^)]*\): "), ""),
    (re.compile(r" ?\(_?[\w/.-]+\.(?:c|py):\d+\)"), ""),
    (re.compile(r"(?:/[\w.-]+)+\.py\b"), "…"),
]


def library_words(text: str) -> str:
    """An HTTP library's error message without its internals (`_INTERNALS`)."""
    for pattern, replacement in _INTERNALS:
        text = pattern.sub(replacement, text)
    return text.strip()


class Attempt(models.Model):
    """What happened when we sent it: for the delivery log."""

    # Denormalised from the delivery (Citus co-location, docs/scaling.md): set by save().
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField()
    request_headers = models.JSONField(default=dict)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)  # the first WEBHOOKS_RESPONSE_EXCERPT bytes
    # The answer went on past them. A database default too: the old code, running for a
    # moment beside the new schema during a deploy, inserts attempts without it.
    response_truncated = models.BooleanField(default=False, db_default=False)
    # In English, as the worker wrote it (network errors as urllib3 says them) …
    error = models.CharField(max_length=300, blank=True)
    # … and its text of ours (a refusal, a disabled endpoint, what a network error means)
    # untranslated with its values: {"text", "params", "refused", "network", "policy"};
    # see `error_said`.
    error_reason = models.JSONField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return f"attempt {self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.tenant_id is None:
            self.tenant_id = self.delivery.tenant_id
        super().save(*args, **kwargs)

    @property
    def error_said(self) -> str:
        """The error in the reader's language (an attempt from before error_reason
        existed: as the worker wrote it, internals left out)."""
        return (
            kept_error_said(self.error_reason) if self.error_reason else library_words(self.error)
        )

    @property
    def error_detail(self) -> str:
        """A network error in the HTTP library's words, shown under our sentence for the
        endpoint's developer to search for, without what only we could read."""
        if self.error_reason and self.error_reason.get("network"):
            return library_words(self.error)
        return ""

    @property
    def was_sent(self) -> bool:
        """Whether a request left: not one the address policy refused, a pause held or
        whose connection never came up (refused, unreachable, TLS handshake)."""
        if self.error_reason is None:  # an answer, or an error kept before reasons were
            return not self.error
        text = REWORDED.get(self.error_reason["text"], self.error_reason["text"])
        return bool(self.error_reason.get("network")) and text not in NEVER_CONNECTED

    @property
    def response_kept(self) -> int:
        return settings.WEBHOOKS_RESPONSE_EXCERPT

    @property
    def headers_sent(self) -> list[tuple[str, str]]:
        """The request's headers as kept (all but the signature), by name."""
        return sorted(self.request_headers.items(), key=lambda item: item[0].lower())

    @property
    def ok(self) -> bool:
        return self.response_status is not None and 200 <= self.response_status < 300
