"""Outgoing email: render from templates, record, and hand to the task queue.

`email_enqueue` never talks to a provider. It renders the message, stores an
`EmailDelivery` row and enqueues `accounts.tasks.email_deliver` in the caller's
transaction, so a rolled-back change sends nothing and a committed one always
has its email on record. The worker sends it; transient provider errors are
retried with exponential backoff, permanent ones are kept as `failed` for an
administrator to look at and retry from the admin. A failed delivery keeps no
live one-time link: those are removed from its bodies (`without_live_links`),
and the person asks for a new email instead.
"""

from __future__ import annotations

import logging
import random
import re
import smtplib
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from accounts.exceptions import PermanentEmailError, TransientEmailError
from accounts.models import EmailDelivery

logger = logging.getLogger("accounts.mail")


def absolute_url(viewname: str, *args: Any, **kwargs: Any) -> str:
    """An absolute link for emails, from SITE_URL (never the request's Host header)."""
    return settings.SITE_URL + reverse(viewname, args=args or None, kwargs=kwargs or None)


def email_render(*, template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Subject, plain text and HTML for `template` (a path prefix such as
    "accounts/email/verify_email")."""
    context = {"PRODUCT_NAME": "Pacetrack", "SITE_URL": settings.SITE_URL, **context}
    subject: str = render_to_string(f"{template}_subject.txt", context)
    # Header injection and stray template newlines: a subject is one line.
    subject = " ".join(subject.split())
    text = render_to_string(f"{template}_message.txt", context).strip() + "\n"
    html = render_to_string(f"{template}_message.html", context)
    return subject, text, html


def email_enqueue(*, to: str | list[str], template: str, context: dict[str, Any]) -> EmailDelivery:
    """Render an email and queue it for delivery when the current transaction commits."""
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients:
        raise ValueError("An email needs at least one recipient.")
    subject, text, html = email_render(template=template, context=context)
    delivery = EmailDelivery.objects.create(
        to=recipients, template=template, subject=subject, body_text=text, body_html=html
    )
    _deliver_later(delivery)
    return delivery


def task_enqueue_transactional(task: Any, *args: Any, run_after: Any = None) -> None:
    """Enqueue `task` so that it exists only if the current transaction commits.

    The database backend writes its task row in this transaction (atomic with the
    change); other backends (immediate) would run or send it now, so they wait
    for the commit."""
    if run_after is not None:
        task = task.using(run_after=run_after)
    if _backend_is_transactional(task):
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args))


def _backend_is_transactional(task: Any) -> bool:
    # Optional: only the database task backend is transactional.
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task.get_backend(), DatabaseBackend)


def _deliver_later(delivery: EmailDelivery, *, run_after: Any = None) -> None:
    from accounts.tasks import email_deliver  # tasks import this module

    task_enqueue_transactional(email_deliver, delivery.pk, run_after=run_after)


# --- Sending (runs in the worker) ------------------------------------------------


def email_delivery_attempt(*, delivery_id: int) -> str:
    """Send one queued email and record the outcome; returns the new status.

    Safe to run twice: a delivery already sent is not sent again."""
    with transaction.atomic():
        delivery = EmailDelivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.status in (EmailDelivery.Status.SENT, EmailDelivery.Status.FAILED):
            return delivery.status
        delivery.attempts += 1
        delivery.last_attempt_at = timezone.now()
        delivery.save(update_fields=["attempts", "last_attempt_at"])
    try:
        provider_id = _send(delivery)
    except TransientEmailError as error:
        return _record_transient(delivery, error)
    except PermanentEmailError as error:
        return _record_failed(delivery, error)
    except Exception as error:
        # An unexpected bug must not leave the email in limbo: record, then re-raise
        # so the task itself is marked failed with the traceback.
        _record_failed(delivery, error)
        raise
    delivery.status = EmailDelivery.Status.SENT
    delivery.sent_at = timezone.now()
    delivery.provider_message_id = provider_id
    delivery.next_attempt_at = None
    delivery.last_error = ""
    delivery.body_text = delivery.body_html = ""  # may hold live links; no longer needed
    delivery.save()
    return delivery.status


def email_delivery_retry(*, delivery: EmailDelivery) -> None:
    """Queue a failed delivery again (the admin's "retry" action)."""
    with transaction.atomic():
        delivery = EmailDelivery.objects.select_for_update().get(pk=delivery.pk)
        if delivery.status == EmailDelivery.Status.SENT:
            return
        if not delivery.body_text:
            raise PermanentEmailError(f"Delivery {delivery.pk} has no body left to send.")
        if REMOVED_LINK in delivery.body_text:
            raise PermanentEmailError(
                f"Delivery {delivery.pk} carried a one-time link, removed when it failed: "
                "ask the person to request a new email."
            )
        delivery.status = EmailDelivery.Status.QUEUED
        delivery.attempts = 0
        delivery.next_attempt_at = None
        delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
        _deliver_later(delivery)


# --- Live links ---------------------------------------------------------------------

REMOVED_LINK = "[one-time link removed]"
_URL = re.compile(r"https?://[^\s<>\"']+")


def without_live_links(text: str) -> str:
    """`text` with every link to one of our token URLs replaced by REMOVED_LINK.

    A link is live when its path resolves to a view taking a `token` argument
    (password reset, email verification and change, invitations): whoever reads
    it can act as the recipient. Other links are kept.
    """
    return _URL.sub(lambda m: REMOVED_LINK if _is_token_link(m.group()) else m.group(), text)


def _is_token_link(url: str) -> bool:
    if not url.startswith(settings.SITE_URL + "/"):
        return False
    try:
        match = resolve(urlsplit(url[len(settings.SITE_URL) :]).path)
    except Resolver404:
        return False
    return "token" in match.kwargs


def _forget_live_links(delivery: EmailDelivery) -> list[str]:
    """A delivery that finally failed keeps no usable link in its stored bodies (anyone
    with admin access could otherwise use it); returns the fields to save."""
    delivery.body_text = without_live_links(delivery.body_text)
    delivery.body_html = without_live_links(delivery.body_html)
    return ["body_text", "body_html"]


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with jitter: base, 2×base, 4×base… capped."""
    base = settings.EMAIL_DELIVERY_RETRY_BASE_SECONDS
    cap = settings.EMAIL_DELIVERY_RETRY_MAX_SECONDS
    seconds = min(cap, base * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=seconds * random.uniform(0.8, 1.2))  # noqa: S311 - not crypto


def _send(delivery: EmailDelivery) -> str:
    message = EmailMultiAlternatives(
        subject=delivery.subject,
        body=delivery.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=delivery.to,
    )
    message.attach_alternative(delivery.body_html, "text/html")
    # Lets providers that support it (Resend) drop a duplicate if a retry follows a
    # send whose answer was lost. An extra attribute, read with getattr: Django's
    # EmailMessage has no field for it and other backends ignore it.
    message.idempotency_key = f"pacetrack-delivery-{delivery.pk}"  # type: ignore[attr-defined]
    try:
        get_connection(fail_silently=False).send_messages([message])
    except (TransientEmailError, PermanentEmailError):
        raise
    except smtplib.SMTPResponseException as error:
        # 4yz replies are temporary by definition (RFC 5321 §4.2.1), 5yz permanent.
        cls = TransientEmailError if 400 <= error.smtp_code < 500 else PermanentEmailError
        raise cls(f"SMTP {error.smtp_code}: {error.smtp_error!r}") from error
    except smtplib.SMTPRecipientsRefused as error:
        raise PermanentEmailError(f"Recipients refused: {error.recipients}") from error
    except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as error:
        raise TransientEmailError(f"{type(error).__name__}: {error}") from error
    return getattr(message, "provider_message_id", "")


def _record_transient(delivery: EmailDelivery, error: Exception) -> str:
    delivery.last_error = str(error)[:2000]
    can_defer = getattr(_email_task().get_backend(), "supports_defer", False)
    if delivery.attempts >= settings.EMAIL_DELIVERY_MAX_ATTEMPTS or not can_defer:
        reason = (
            "gave up after {n} attempts" if can_defer else "the tasks backend cannot retry later"
        )
        logger.error(
            "Email %s failed (%s): %s", delivery.pk, reason.format(n=delivery.attempts), error
        )
        delivery.status = EmailDelivery.Status.FAILED
        delivery.next_attempt_at = None
        redacted = _forget_live_links(delivery)
        delivery.save(update_fields=["status", "last_error", "next_attempt_at", *redacted])
        return delivery.status
    delivery.status = EmailDelivery.Status.RETRYING
    delivery.next_attempt_at = timezone.now() + retry_delay(delivery.attempts)
    logger.warning(
        "Email %s attempt %s failed, retrying at %s: %s",
        delivery.pk,
        delivery.attempts,
        delivery.next_attempt_at.isoformat(),
        error,
    )
    with transaction.atomic():
        delivery.save(update_fields=["status", "last_error", "next_attempt_at"])
        _deliver_later(delivery, run_after=delivery.next_attempt_at)
    return delivery.status


def _record_failed(delivery: EmailDelivery, error: Exception) -> str:
    logger.error("Email %s failed permanently: %s", delivery.pk, error)
    delivery.status = EmailDelivery.Status.FAILED
    delivery.last_error = f"{type(error).__name__}: {error}"[:2000]
    delivery.next_attempt_at = None
    redacted = _forget_live_links(delivery)
    delivery.save(update_fields=["status", "last_error", "next_attempt_at", *redacted])
    return delivery.status


def _email_task() -> Any:
    from accounts.tasks import email_deliver  # tasks import this module

    return email_deliver
