"""The worker side: one attempt to deliver one event, and what follows from it.

An attempt claims the delivery (a conditional UPDATE: two workers never send the same
attempt), checks and sends outside any transaction, then records the answer. A 2xx
succeeds; anything else is retried on RETRY_SCHEDULE for up to RETRY_FOR, after which
the delivery fails. An endpoint whose every attempt has failed for RETRY_FOR (or for the
whole window of a delivery that gives up) is disabled and the organisation's owners are
emailed; a streak of failures with no attempt for longer than the schedule's longest
wait is over, and one starts afresh at the next failure. A delivery whose endpoint is off or
paused when its attempt comes is not sent: the attempt says why, the delivery fails (it
can be resent once the endpoint is on again), and the endpoint's health is untouched.

A delivery our address policy refuses (the host now resolves to a private, loopback or
reserved address: the rule that refuses such a URL when it is saved) sends nothing and
is said as such, apart from network errors. It is retried on the same schedule: a DNS
answer can change back (a record fixed, a failover undone), and every attempt checks the
address again when it connects, so retrying never sends a request inside. It counts
towards turning the endpoint off (nothing reaches it), but the owners are emailed at the
first refusal, not after RETRY_FOR: unlike a server that is down, this is a DNS record
to fix, and it may be someone aiming our requests at our own network, so each refusal
is also a security event.

Imports no task module and enqueues nothing (docs/architecture.md, background tasks).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_noop
from standardwebhooks.webhooks import Webhook

from accounts.mail import email_enqueue
from accounts.mail_delivery import absolute_url
from core.i18n import reason_said, said_later
from core.members import members_who_can_act
from core.security_log import security_event
from webhooks.crypto import secret_decrypt
from webhooks.exceptions import AddressRefused, UnsafeDestination
from webhooks.models import Attempt, Delivery, Endpoint, kept_error_said
from webhooks.transport import Answer, target_check, target_post

# Wait after the 1st, 2nd… failed attempt (the Standard Webhooks / Svix schedule).
RETRY_SCHEDULE = [
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    *[timedelta(hours=10)] * 7,
]
RETRY_FOR = timedelta(days=3)
# A failure streak with no attempt for this long is over: nothing tried the endpoint in
# between (the schedule's longest wait, and an hour for a slow attempt or a late worker).
STREAK_LAPSES_AFTER = max(RETRY_SCHEDULE) + timedelta(hours=1)
# Claimed, a delivery is kept from other workers for as long as an attempt can last (its
# DNS lookups, then the request's WEBHOOKS_TOTAL_TIMEOUT) and this on top, to record it.
CLAIM_MARGIN = timedelta(minutes=1)


def claim_for() -> timedelta:
    """How long an attempt's claim lasts: a claim that ran out while the attempt was
    still on the wire let `webhooks_resume` queue the delivery again, and a second
    worker sent it too."""
    lookups = 2 * settings.WEBHOOKS_DNS_TIMEOUT  # A and AAAA
    return timedelta(seconds=lookups + settings.WEBHOOKS_TOTAL_TIMEOUT) + CLAIM_MARGIN


def signatures(endpoint: Endpoint, *, message_id: str, at: datetime, payload: str) -> str:
    """`webhook-signature`: one `v1,…` per live secret, space-separated, so receivers
    that still hold the previous secret keep verifying during a rotation."""
    secrets = [endpoint.secret]
    if endpoint.previous_secret and (
        endpoint.previous_secret_expires_at is None or endpoint.previous_secret_expires_at > at
    ):
        secrets.append(endpoint.previous_secret)
    return " ".join(
        Webhook(secret_decrypt(s)).sign(msg_id=message_id, timestamp=at, data=payload)
        for s in secrets
    )


def _claim(delivery_id: int, now: datetime) -> bool:
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    until = now + claim_for()
    return bool(
        Delivery.objects.filter(due, pk=delivery_id, status=Delivery.Status.PENDING).update(
            attempts=F("attempts") + 1, next_attempt_at=until, claimed_until=until
        )
    )


DISABLED = gettext_noop("Not sent: the endpoint is disabled.")
PAUSED = gettext_noop("Not sent: the endpoint is paused.")
# Why the worker turned an endpoint off (stored in English, shown translated).
FAILED_FOR = gettext_noop("Every delivery failed for 3 days.")
REFUSED_FOR = gettext_noop(
    "Every delivery failed for 3 days: its address leads to a private or reserved "
    "address, where webhooks are never sent."
)


def _held(endpoint: Endpoint) -> str | None:
    """Why nothing may be sent to the endpoint now (None: it may)."""
    if not endpoint.is_active:
        return DISABLED
    if endpoint.is_paused:
        return PAUSED
    return None


def _kept(
    text: str,
    params: dict[str, Any],
    *,
    refused: bool,
    network: bool = False,
    policy: bool = False,
) -> dict[str, Any]:
    """An error of ours as Attempt keeps it: untranslated, with its values; `network`:
    said of a network error, whose own words stay in the error column; `policy`: our
    address policy refused the destination (nothing was sent)."""
    return {
        "text": text,
        "params": params,
        "refused": refused,
        "network": network,
        "policy": policy,
    }


def _in_english(kept: dict[str, Any]) -> str:
    """The error column's text: English whoever's request ran the attempt."""
    with translation.override("en"):
        return kept_error_said(kept)


def _send(
    delivery: Delivery, now: datetime
) -> tuple[dict[str, str], Answer, dict[str, Any] | None]:
    endpoint = delivery.endpoint
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Pacetrack-Webhooks/1",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
    }
    try:
        target = target_check(endpoint.url)
    except AddressRefused as refusal:
        text, params = refusal.kept or (str(refusal), {})
        kept = _kept(text, params, refused=True, policy=True)
        security_event(
            "webhook.address_refused",
            tenant=endpoint.tenant_id,
            endpoint=endpoint.pk,
            host=params.get("host", ""),
            address=params.get("address", ""),
        )
        return headers, Answer(None, "", _in_english(kept)[:300], 0), kept
    except UnsafeDestination as refusal:
        text, params = refusal.kept or (str(refusal), {})
        kept = _kept(text, params, refused=True)
        return headers, Answer(None, "", _in_english(kept)[:300], 0), kept
    signed = {
        **headers,
        "webhook-signature": signatures(
            endpoint, message_id=delivery.message_id, at=now, payload=delivery.payload
        ),
    }
    answer = target_post(target, body=delivery.payload.encode(), headers=signed)
    if answer.reason is None:
        return headers, answer, None
    return headers, answer, _kept(*answer.reason, refused=False, network=True)


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> Delivery | None:
    """Send the delivery if it is due (None if it was not, or another worker has it)."""
    now = now or timezone.now()
    if not _claim(delivery_id, now):
        return None
    delivery = Delivery.objects.select_related("endpoint", "endpoint__tenant").get(pk=delivery_id)
    held = _held(delivery.endpoint)
    if held is not None:
        headers: dict[str, str] = {}
        not_sent = _kept(held, {}, refused=False)
        kept: dict[str, Any] | None = not_sent
        answer = Answer(None, "", _in_english(not_sent), 0)
    else:
        headers, answer, kept = _send(delivery, now)
    with transaction.atomic():
        attempt = Attempt.objects.create(
            delivery=delivery,
            number=delivery.attempts,
            sent_at=now,
            request_headers=headers,
            response_status=answer.status,
            response_body=answer.body,
            response_truncated=answer.truncated,
            error=answer.error,
            error_reason=kept,
            duration_ms=answer.duration_ms,
        )
        ok = answer.status is not None and 200 <= answer.status < 300
        # Retries wait from the attempt's end: from its start, a receiver slower than
        # the first wait (5 s, the read timeout) got the retry while still on the first.
        ended = now + timedelta(milliseconds=answer.duration_ms)
        gave_up = _settle(delivery, ok=ok, now=ended, held=held is not None)
        if held is None:  # nothing was sent: nothing learnt about the endpoint
            _endpoint_health(
                delivery.endpoint,
                ok=ok,
                now=now,
                refusal=_policy_refusal(kept),
                attempt=attempt,
                gave_up=delivery if gave_up else None,
            )
    return delivery


def _settle(delivery: Delivery, *, ok: bool, now: datetime, held: bool) -> bool:
    """Record where the delivery stands; True when it failed because its window of
    retries ran out."""
    gave_up = False
    if ok:
        delivery.status, delivery.next_attempt_at = Delivery.Status.SUCCEEDED, None
    else:
        in_window = max(delivery.attempts - delivery.attempts_before_window, 1)
        wait = RETRY_SCHEDULE[min(in_window, len(RETRY_SCHEDULE)) - 1]
        retry_at = now + wait
        if retry_at > delivery.retries_from + RETRY_FOR or held:
            delivery.status, delivery.next_attempt_at = Delivery.Status.FAILED, None
            gave_up = not held
        else:
            delivery.next_attempt_at = retry_at
    delivery.claimed_until = None
    delivery.save(update_fields=["status", "next_attempt_at", "claimed_until"])
    return gave_up


def _policy_refusal(kept: dict[str, Any] | None) -> dict[str, Any] | None:
    return kept if kept is not None and kept.get("policy") else None


def _endpoint_health(
    endpoint: Endpoint,
    *,
    ok: bool,
    now: datetime,
    refusal: dict[str, Any] | None,
    attempt: Attempt,
    gave_up: Delivery | None,
) -> None:
    """`refusal`: the `attempt`'s policy refusal, if it was one; `gave_up`: its delivery,
    when this attempt was the last of its window.

    The disable check used to run only at an attempt 3 days into a streak: an endpoint
    failing every attempt of every delivery stayed on once they had all given up, and
    weeks later a single failure found that old streak and turned it off at once."""
    endpoint = Endpoint.objects.select_for_update().select_related("tenant").get(pk=endpoint.pk)
    if ok:
        if endpoint.failing_since is not None:
            endpoint.failing_since = None
            endpoint.save(update_fields=["failing_since"])
        return
    # Read for failures only: a success, most attempts, needs no look back (a join of
    # the endpoint's attempts, under its lock).
    previous = _previous_attempt(endpoint, before=attempt)
    if refusal is not None and not (previous and _was_refusal(previous)):
        _tell_owners_refused(endpoint, refusal)
    lapsed = previous is None or now - previous.sent_at > STREAK_LAPSES_AFTER
    if endpoint.failing_since is None or lapsed:
        endpoint.failing_since = now
        endpoint.save(update_fields=["failing_since"])
        return
    # Its whole window failed, every attempt to the endpoint meanwhile too, and the
    # streak is as long as a window's retries (within the longest wait of 3 days): after
    # a backlog (workers down for days) deliveries give up on their first attempt, and
    # two of them a moment apart turned the endpoint off.
    window_failed = (
        gave_up is not None
        and endpoint.failing_since <= _window_opened(gave_up)
        and now - endpoint.failing_since >= RETRY_FOR - max(RETRY_SCHEDULE)
    )
    if (
        endpoint.is_active
        and not endpoint.is_paused
        and (now - endpoint.failing_since >= RETRY_FOR or window_failed)
    ):
        # Not a paused one: paused while this attempt was on the wire, it would be off and
        # paused at once; its streak starts again when it is resumed.
        endpoint.is_active = False
        # Stored in English; the endpoint page shows it in the reader's language.
        endpoint.disabled_reason = REFUSED_FOR if refusal is not None else FAILED_FOR
        endpoint.save(update_fields=["is_active", "disabled_reason"])
        _tell_owners(endpoint)


def _previous_attempt(endpoint: Endpoint, *, before: Attempt) -> Attempt | None:
    """The endpoint's last attempt before `before` (None: none is kept)."""
    return (
        Attempt.objects.filter(delivery__endpoint=endpoint)
        .exclude(pk=before.pk)
        .order_by("-sent_at", "-pk")
        .only("sent_at", "error_reason")
        .first()
    )


def _was_refusal(attempt: Attempt) -> bool:
    """Whether `attempt` was a policy refusal (before another, the owners have been told
    already: one email per run of refusals)."""
    return bool(attempt.error_reason and attempt.error_reason.get("policy"))


def _window_opened(delivery: Delivery) -> datetime:
    """When the first attempt of the delivery's window of retries was made."""
    first = (
        delivery.attempt_log.filter(number__gt=delivery.attempts_before_window)
        .order_by("number")
        .values_list("sent_at", flat=True)
        .first()
    )
    return first or delivery.retries_from


def _owner_emails(endpoint: Endpoint) -> list[str]:
    # Through the ORM relation: webhooks sits below tenancy and never imports it (the
    # rule is tenants.selectors.owner_emails: owners who can act). An owner staff had
    # deactivated was still sent the endpoint's address and its refusals.
    return list(
        endpoint.tenant.memberships.filter(members_who_can_act(), role__key="owner").values_list(
            "user__email", flat=True
        )
    )


def _tell_owners_refused(endpoint: Endpoint, refusal: dict[str, Any]) -> None:
    owners = _owner_emails(endpoint)
    if owners:
        email_enqueue(
            to=owners,
            template="webhooks/email/endpoint_address_refused",
            context={
                "tenant_name": endpoint.tenant.name,
                "url": endpoint.url,
                # In each recipient's language, worked out when their email is rendered.
                "reason": said_later(lambda: reason_said(refusal["text"], refusal["params"])),
                "page_url": absolute_url("webhooks:detail", endpoint.tenant.slug, endpoint.pk),
            },
        )


def _tell_owners(endpoint: Endpoint) -> None:
    tenant = endpoint.tenant
    owners = _owner_emails(endpoint)
    if owners:
        email_enqueue(
            to=owners,
            template="webhooks/email/endpoint_disabled",
            context={
                "tenant_name": tenant.name,
                "url": endpoint.url,
                "page_url": absolute_url("webhooks:detail", tenant.slug, endpoint.pk),
                # Not a server that is down: "once it answers again" would mislead.
                "address_refused": endpoint.disabled_reason == REFUSED_FOR,
            },
        )


def deliveries_due(
    *, now: datetime | None = None, stale_after: timedelta = timedelta(0)
) -> list[int]:
    """Ids of pending deliveries due for at least `stale_after` (a lost task, or a queue
    without deferred tasks): `manage.py webhooks_deliver_due` sends them, the
    `webhooks_resume` job queues them again. A delivery never attempted has no time
    yet (`_claim` counts it due): it counts from its event's moment."""
    cutoff = (now or timezone.now()) - stale_after
    due = Q(next_attempt_at__lte=cutoff) | Q(next_attempt_at__isnull=True, created_at__lte=cutoff)
    return list(
        Delivery.objects.filter(due, status=Delivery.Status.PENDING)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)
    )


def payload_build(*, event_type: str, data: dict, at: datetime) -> str:
    """The body: versioned, documented in docs/webhooks.md. Times are written as the API
    writes them (DjangoJSONEncoder, which ninja's renderer extends): milliseconds and Z,
    in `timestamp` and in `data` alike."""
    body = {"type": event_type, "version": 1, "timestamp": at, "data": data}
    return json.dumps(body, separators=(",", ":"), sort_keys=True, cls=DjangoJSONEncoder)


def deliveries_purge(*, older_than: timedelta, batch: int = 1000) -> int:
    """Delete finished deliveries (delivered or failed) whose event is older than
    `older_than`, with their attempts: payloads carry members' addresses and names, kept
    no longer than their log is useful. Pending ones stay (3 days at most). In batches,
    so no statement holds a large table's rows for long."""
    cutoff = timezone.now() - older_than
    finished = Delivery.objects.filter(created_at__lt=cutoff).exclude(
        status=Delivery.Status.PENDING
    )
    deleted = 0
    while ids := list(finished.values_list("pk", flat=True)[:batch]):
        with transaction.atomic():
            # Locked and read again: one resent meanwhile is pending, and stays.
            gone = list(
                finished.filter(pk__in=ids).select_for_update().values_list("pk", flat=True)
            )
            Attempt.objects.filter(delivery_id__in=gone).delete()
            deleted += Delivery.objects.filter(pk__in=gone).delete()[1].get("webhooks.Delivery", 0)
        if not gone:
            break
    return deleted
