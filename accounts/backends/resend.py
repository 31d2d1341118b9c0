"""Django email backend on the Resend SDK (enabled by RESEND_API_KEY).

Errors are classified for the delivery worker: timeouts, connection errors,
429 and 5xx are `TransientEmailError` (retry with backoff); other 4xx (an invalid
address, a bad key, an unverified sender domain) are `PermanentEmailError`.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Sequence
from email.mime.base import MIMEBase
from typing import Any, cast

import resend
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend

from accounts.exceptions import EmailDeliveryError, PermanentEmailError, TransientEmailError

logger = logging.getLogger("accounts.mail")

# The SDK reports transport failures (timeouts, refused connections) as this type.
TRANSPORT_ERROR_TYPE = "HttpClientError"


class ResendEmailBackend(BaseEmailBackend):
    """Sends each message with one call to Resend's `POST /emails`."""

    def __init__(self, fail_silently: bool = False, api_key: str | None = None, **kwargs: Any):
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.api_key = api_key or settings.RESEND_API_KEY
        if not self.api_key:
            raise ImproperlyConfigured("ResendEmailBackend needs RESEND_API_KEY.")

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        """Send the messages; return how many were accepted. Raises
        TransientEmailError / PermanentEmailError unless fail_silently."""
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            try:
                response = self._send(message)
            except EmailDeliveryError:
                if not self.fail_silently:
                    raise
                logger.exception("Resend refused a message to %s", message.to)
                continue
            # Handed back to accounts.mail_delivery._send, which reads it with getattr: Django's
            # send_messages() returns only a count. Any EmailMessage may come here.
            message.provider_message_id = response.get("id", "")  # type: ignore[attr-defined]
            sent += 1
        return sent

    def _send(self, message: EmailMessage) -> dict[str, Any]:
        # The SDK keeps its key in a module global; set it for each call so a key
        # rotated in settings (or a test override) is always the one used.
        resend.api_key = self.api_key
        _use_timeout(settings.RESEND_TIMEOUT)
        options: resend.Emails.SendOptions = {}
        if key := getattr(message, "idempotency_key", None):
            options["idempotency_key"] = key
        try:
            # params() builds the SDK's SendParams key by key from the message.
            params = cast(resend.Emails.SendParams, self.params(message))
            return dict(resend.Emails.send(params, options or None))
        except resend.exceptions.ResendError as error:
            raise classify(error) from error

    @staticmethod
    def params(message: EmailMessage) -> dict[str, Any]:
        """Resend's send parameters for a Django message."""
        params: dict[str, Any] = {
            "from": message.from_email or settings.DEFAULT_FROM_EMAIL,
            "to": list(message.to),
            "subject": message.subject,
        }
        if message.cc:
            params["cc"] = list(message.cc)
        if message.bcc:
            params["bcc"] = list(message.bcc)
        if message.reply_to:
            params["reply_to"] = list(message.reply_to)
        if message.extra_headers:
            params["headers"] = {k: str(v) for k, v in message.extra_headers.items()}
        body_key = "html" if message.content_subtype == "html" else "text"
        if message.body:
            params[body_key] = message.body
        if isinstance(message, EmailMultiAlternatives):
            for content, mimetype in message.alternatives:
                if mimetype == "text/html":
                    params["html"] = content
        if message.attachments:
            params["attachments"] = [_attachment(a) for a in message.attachments]
        return params


def _use_timeout(seconds: int) -> None:
    """Give the SDK's stock transport our timeout (its own is 30 s). A transport put
    there on purpose (tests, a project's own) is left alone."""
    client = resend.default_http_client
    if type(client) is resend.RequestsClient and client._timeout != seconds:
        resend.default_http_client = resend.RequestsClient(timeout=seconds)


def classify(error: resend.exceptions.ResendError) -> EmailDeliveryError:
    """Transient for transport errors, 429 and 5xx; permanent for other 4xx."""
    try:
        code = int(error.code)
    except (TypeError, ValueError):
        code = 500
    detail = f"Resend {code} {error.error_type}: {error.message}"
    if error.error_type == TRANSPORT_ERROR_TYPE or code == 429 or code >= 500:
        return TransientEmailError(detail)
    return PermanentEmailError(detail)


def _attachment(attachment: Any) -> dict[str, Any]:
    if isinstance(attachment, MIMEBase):
        payload = attachment.get_payload(decode=True)  # bytes, or None when empty
        content = payload if isinstance(payload, bytes) else b""
        filename = attachment.get_filename() or "attachment"
    else:
        filename, content, _mimetype = attachment
        if isinstance(content, str):
            content = content.encode()
    return {"filename": filename, "content": base64.b64encode(content).decode()}
