"""Email the worker side needs: rendering, recording and sending a delivery.

Nothing here enqueues a task, so `accounts.tasks` imports this module and the task
bodies decide what to queue: `email_delivery_attempt` returns a `DeliveryAttempt`,
and when it carries `retry_at` the `email_deliver` task records the retry and queues
itself again in one transaction. The enqueue side is `accounts.mail`.
"""

from __future__ import annotations

import logging
import random
import re
import smtplib
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone, translation

from accounts.exceptions import PermanentEmailError, TransientEmailError
from accounts.models import EmailDelivery, User, normalize_email

logger = logging.getLogger("accounts.mail")


def absolute_url(viewname: str, *args: Any, **kwargs: Any) -> str:
    """An absolute link for emails, from SITE_URL (never the request's Host header)."""
    return settings.SITE_URL + reverse(viewname, args=args or None, kwargs=kwargs or None)


def email_render(*, template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Subject, plain text and HTML for `template` (a path prefix such as
    "accounts/email/verify_email")."""
    context = {"PRODUCT_NAME": settings.PRODUCT_NAME, "SITE_URL": settings.SITE_URL, **context}
    subject: str = render_to_string(f"{template}_subject.txt", context)
    # Header injection and stray template newlines: a subject is one line.
    subject = " ".join(subject.split())
    text = render_to_string(f"{template}_message.txt", context).strip() + "\n"
    html = render_to_string(f"{template}_message.html", context)
    return subject, text, html


def recipient_locales(recipients: list[str]) -> dict[tuple[str, str], list[str]]:
    """The recipients grouped by the (language, time zone) their email is written in.

    The one rule for every email: an address with an account gets that person's
    language (blank: the active one) and time zone; an address without one (an
    invitation to someone new) gets the sender's, i.e. the active language and time
    zone of the request or task that sends it. One query."""
    active = (
        translation.get_language() or settings.LANGUAGE_CODE,
        timezone.get_current_timezone_name(),
    )
    people = {
        email: (language or active[0], time_zone or active[1])
        for email, language, time_zone in User.objects.filter(
            email__in=[normalize_email(address) for address in recipients]
        ).values_list("email", "language", "time_zone")
    }
    groups: dict[tuple[str, str], list[str]] = {}
    for address in recipients:
        groups.setdefault(people.get(normalize_email(address), active), []).append(address)
    return groups


def email_record(
    *, to: str | list[str], template: str, context: dict[str, Any]
) -> list[EmailDelivery]:
    """Render an email and store it as queued `EmailDelivery` rows (not yet enqueued):
    one per language and time zone among the recipients (`recipient_locales`), each
    rendered in those."""
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients:
        raise ValueError("An email needs at least one recipient.")
    deliveries = []
    for (language, zone), addresses in recipient_locales(recipients).items():
        with translation.override(language), timezone.override(_zone_or_utc(zone)):
            subject, text, html = email_render(template=template, context=context)
        deliveries.append(
            EmailDelivery.objects.create(
                to=addresses, template=template, subject=subject, body_text=text, body_html=html
            )
        )
    return deliveries


def _zone_or_utc(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):  # a zone dropped by a tzdata update
        return "UTC"
    return name


# --- Sending (runs in the worker) ------------------------------------------------


# A task runs once its `run_after` has passed; a second of slack for clocks.
DUE_SLACK = timedelta(seconds=1)
# Longer than one send can take (RESEND_TIMEOUT, 10 s by default, and SMTP's own).
IN_FLIGHT = timedelta(minutes=2)


@dataclass(frozen=True)
class DeliveryAttempt:
    """The outcome of one attempt. `retry_at` set: a transient failure to be retried
    then; it is not on record yet (`email_delivery_retry_record`), so the caller
    records it in the transaction that queues the next attempt."""

    status: str
    retry_at: datetime | None = None
    error: str = ""


def email_delivery_attempt(*, delivery_id: int, can_retry_later: bool) -> DeliveryAttempt:
    """Send one queued email and record the outcome (a retry excepted, see above).

    `can_retry_later`: whether the task backend can schedule a later attempt. Safe
    to run twice: a delivery already sent is not sent again."""
    with transaction.atomic():
        delivery = EmailDelivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.status in (EmailDelivery.Status.SENT, EmailDelivery.Status.FAILED):
            return DeliveryAttempt(status=delivery.status)
        now = timezone.now()
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now + DUE_SLACK:
            # Not due: a second task for the same email (`resume_email_deliveries` run
            # while the worker had it), or one whose attempt is in flight. Each such
            # task used to spend an attempt and queue a retry of its own, so an outage
            # of 20 minutes used up the budget meant for hours. The task that is due
            # makes the attempt.
            return DeliveryAttempt(status=delivery.status)
        delivery.attempts += 1
        delivery.last_attempt_at = now
        # Claimed while it is sent: a duplicate arriving meanwhile finds it not due; a
        # worker killed mid-send leaves a claim `resume_email_deliveries` sees expire.
        delivery.next_attempt_at = now + IN_FLIGHT
        delivery.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at"])
    try:
        provider_id = _send(delivery)
    except TransientEmailError as error:
        return _transient(delivery, error, can_retry_later=can_retry_later)
    except PermanentEmailError as error:
        return DeliveryAttempt(status=_record_failed(delivery, error))
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
    return DeliveryAttempt(status=delivery.status)


def email_delivery_retry_record(*, delivery_id: int, attempt: DeliveryAttempt) -> None:
    """Put the retry `attempt` announced on record (status, error, when)."""
    EmailDelivery.objects.filter(pk=delivery_id).update(
        status=EmailDelivery.Status.RETRYING,
        last_error=attempt.error,
        next_attempt_at=attempt.retry_at,
    )


# --- Live links ---------------------------------------------------------------------

REMOVED_LINK = "[one-time link removed]"
_URL = re.compile(r"https?://[^\s<>\"']+")
# A local part may be quoted ("ann smith"@…) and a domain an address literal (…@[192.0.2.1]):
# Django's EmailValidator accepts both, so an account can have either.
_ADDRESS = re.compile(
    r"(?:\"[^\"\r\n]*\"|[^\s<>\"'(),:;\[\]]+)@(?:\[[^\]\s]*\]|[^\s<>\"'(),:;\[\]]+)"
)


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


def _transient(
    delivery: EmailDelivery, error: Exception, *, can_retry_later: bool
) -> DeliveryAttempt:
    delivery.last_error = str(error)[:2000]
    if delivery.attempts >= settings.EMAIL_DELIVERY_MAX_ATTEMPTS or not can_retry_later:
        reason = (
            "gave up after {n} attempts"
            if can_retry_later
            else "the tasks backend cannot retry later"
        )
        logger.error(
            "Email %s failed (%s): %s",
            delivery.pk,
            reason.format(n=delivery.attempts),
            _for_log(error),
        )
        delivery.status = EmailDelivery.Status.FAILED
        delivery.next_attempt_at = None
        redacted = _forget_live_links(delivery)
        delivery.save(update_fields=["status", "last_error", "next_attempt_at", *redacted])
        return DeliveryAttempt(status=delivery.status)
    retry_at = timezone.now() + retry_delay(delivery.attempts)
    logger.warning(
        "Email %s attempt %s failed, retrying at %s: %s",
        delivery.pk,
        delivery.attempts,
        retry_at.isoformat(),
        _for_log(error),
    )
    return DeliveryAttempt(
        status=EmailDelivery.Status.RETRYING, retry_at=retry_at, error=delivery.last_error
    )


def _for_log(error: Exception) -> str:
    """The error without the addresses in it: an SMTP server's refusal names the
    recipient ("550 <ann@example.com>: no such user"), and logs keep no addresses
    (docs/security.md). `last_error`, read by staff in the admin, keeps them."""
    return _ADDRESS.sub("[address]", str(error))


def _record_failed(delivery: EmailDelivery, error: Exception) -> str:
    logger.error("Email %s failed permanently: %s", delivery.pk, _for_log(error))
    delivery.status = EmailDelivery.Status.FAILED
    delivery.last_error = f"{type(error).__name__}: {error}"[:2000]
    delivery.next_attempt_at = None
    redacted = _forget_live_links(delivery)
    delivery.save(update_fields=["status", "last_error", "next_attempt_at", *redacted])
    return delivery.status


def email_delivery_bodies_purge(*, older_than: timedelta) -> int:
    """Clear the bodies of deliveries finished (sent or failed) longer than `older_than`
    ago; returns how many. The row (recipient, subject, status) stays as the record;
    the text, which can hold personal data, does not."""
    cutoff = timezone.now() - older_than
    return (
        EmailDelivery.objects.filter(
            status__in=[EmailDelivery.Status.SENT, EmailDelivery.Status.FAILED],
            created_at__lt=cutoff,
        )
        .exclude(body_text="", body_html="")
        .update(body_text="", body_html="")
    )
