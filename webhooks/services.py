"""Endpoint actions: add (the secret is shown once), change, remove, rotate the secret,
turn back on, pause and resume, send a test event, and resend a delivery."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.task_queue import task_enqueue_transactional
from core.audit import audit_record
from core.security_log import security_event
from webhooks.audit import WebhookAction
from webhooks.crypto import secret_encrypt, secret_generate
from webhooks.events import EVENT_TYPES, event_emit_test
from webhooks.exceptions import AddressRefused, WebhookError
from webhooks.models import Delivery, Endpoint
from webhooks.tasks import webhook_deliver
from webhooks.transport import target_check

if TYPE_CHECKING:
    from accounts.models import User
    from tenants.models import Tenant


def _assert_tenant(tenant: Tenant, *objects: Endpoint | Delivery) -> None:
    for obj in objects:
        if obj.tenant_id != tenant.pk:
            raise ValueError(f"{obj.__class__.__name__} {obj.pk} is not in tenant {tenant.pk}.")


def _clean_types(event_types: list[str]) -> list[str]:
    unknown = set(event_types) - set(EVENT_TYPES)
    if unknown:
        raise WebhookError(
            _("Unknown event types: %(types)s.") % {"types": ", ".join(sorted(unknown))}
        )
    if not event_types:
        raise WebhookError(_("Choose at least one event."))
    return [t for t in EVENT_TYPES if t in set(event_types)]


def destination_check(*, url: str, tenant: Tenant, acting_user: User | None) -> None:
    """`target_check` for a URL someone typed: a refused private address goes to the
    security log with who tried it (the form no longer says where the name leads, and
    naming internal hosts one after another is how the DNS behind us would be mapped)."""
    try:
        target_check(url)
    except AddressRefused as refusal:
        params = refusal.kept[1] if refusal.kept else {}
        security_event(
            "webhook.address_refused",
            tenant=tenant.pk,
            user_id=acting_user.pk if acting_user else None,
            host=params.get("host", ""),
            address=params.get("address", ""),
        )
        raise


@transaction.atomic
def endpoint_create(
    *, tenant: Tenant, url: str, description: str, event_types: list[str], acting_user: User | None
) -> tuple[Endpoint, str]:
    """A new endpoint and its signing secret, which is never shown again. The URL must
    lead to a public address now (and is checked again at every delivery)."""
    if tenant.is_personal:
        raise WebhookError(_("Webhooks belong to organisations. Create an organisation first."))
    destination_check(url=url, tenant=tenant, acting_user=acting_user)
    secret = secret_generate()
    endpoint = Endpoint(
        tenant=tenant,
        url=url,
        description=description.strip(),
        event_types=_clean_types(event_types),
        secret=secret_encrypt(secret),
        created_by=acting_user,
    )
    endpoint.full_clean()
    endpoint.save()
    audit_record(
        tenant=tenant,
        action=WebhookAction.ENDPOINT_CREATED,
        acting_user=acting_user,
        target=endpoint,
        target_label=url,
        after={"events": endpoint.event_types},
    )
    return endpoint, secret


def _changes(
    *, before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """An audit event's before/after: a key on both sides only where its value changed; a
    key on one side (the events added, the events removed) only when it holds any."""
    return (
        {k: v for k, v in before.items() if (after[k] != v if k in after else v)},
        {k: v for k, v in after.items() if (before[k] != v if k in before else v)},
    )


@transaction.atomic
def endpoint_update(
    *,
    tenant: Tenant,
    endpoint: Endpoint,
    acting_user: User | None,
    url: str,
    event_types: list[str],
    description: str,
) -> Endpoint:
    """Change where the endpoint's events go and which it gets; its secret and delivery
    log stay, so the receiver needs no new secret. A new URL is checked as when an
    endpoint is added (an unchanged one is not: every delivery checks it again, and
    unsubscribing from an event must not wait for a DNS record to be fixed).

    A new URL starts the failure streak afresh (the old address's failures say nothing
    of it) but does not turn an endpoint that is off back on: that stays *Turn back on*,
    a person's decision. Deliveries waiting for a retry go to the new URL."""
    _assert_tenant(tenant, endpoint)
    # As stored, locked: the worker updates the failure streak concurrently.
    current = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    types = _clean_types(event_types)
    description = description.strip()
    new_url = url != current.url
    if new_url:
        destination_check(url=url, tenant=tenant, acting_user=acting_user)
    before, after = _changes(
        before={
            "url": current.url,
            "description": current.description or None,
            "events_removed": [t for t in current.event_types if t not in types],
        },
        after={
            "url": url,
            "description": description or None,
            "events_added": [t for t in types if t not in current.event_types],
        },
    )
    if not before and not after:
        return endpoint
    current.url, current.description, current.event_types = url, description, types
    fields = ["url", "description", "event_types"]
    if new_url:
        current.failing_since = None
        fields.append("failing_since")
    current.full_clean()
    current.save(update_fields=fields)
    for name in fields:  # the caller's copy too, once saved (a refusal leaves it as it was)
        setattr(endpoint, name, getattr(current, name))
    audit_record(
        tenant=tenant,
        action=WebhookAction.ENDPOINT_UPDATED,
        acting_user=acting_user,
        target=endpoint,
        target_label=url,
        before=before,
        after=after,
    )
    return endpoint


@transaction.atomic
def endpoint_delete(*, tenant: Tenant, endpoint: Endpoint, acting_user: User | None) -> None:
    """Delete an endpoint and its log; one deleted a moment ago is left as it is."""
    _assert_tenant(tenant, endpoint)
    if not Endpoint.objects.select_for_update().filter(pk=endpoint.pk).values("pk").first():
        return
    audit_record(
        tenant=tenant,
        action=WebhookAction.ENDPOINT_DELETED,
        acting_user=acting_user,
        target=endpoint,
        target_label=endpoint.url,
    )
    endpoint.delete()


@transaction.atomic
def endpoint_secret_rotate(*, tenant: Tenant, endpoint: Endpoint, acting_user: User | None) -> str:
    """A new secret (returned, shown once); the current one keeps signing alongside it
    for WEBHOOKS_ROTATION_OVERLAP_HOURS, so receivers can switch without losing events."""
    _assert_tenant(tenant, endpoint)
    # As stored, locked: two rotations at once both kept the secret their page had read
    # as the previous one, and the secret the first of them showed never signed.
    current = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    secret = secret_generate()
    current.previous_secret = current.secret
    current.previous_secret_expires_at = timezone.now() + timedelta(
        hours=settings.WEBHOOKS_ROTATION_OVERLAP_HOURS
    )
    current.secret = secret_encrypt(secret)
    fields = ["secret", "previous_secret", "previous_secret_expires_at"]
    current.save(update_fields=fields)
    for name in fields:  # the caller's copy too
        setattr(endpoint, name, getattr(current, name))
    audit_record(
        tenant=tenant,
        action=WebhookAction.SECRET_ROTATED,
        acting_user=acting_user,
        target=endpoint,
        target_label=endpoint.url,
    )
    return secret


@transaction.atomic
def endpoint_enable(*, tenant: Tenant, endpoint: Endpoint, acting_user: User | None) -> Endpoint:
    """Turn a disabled endpoint back on (its failure streak starts again)."""
    _assert_tenant(tenant, endpoint)
    if not endpoint.is_active:
        destination_check(url=endpoint.url, tenant=tenant, acting_user=acting_user)
        endpoint.is_active, endpoint.failing_since, endpoint.disabled_reason = True, None, ""
        endpoint.save(update_fields=["is_active", "failing_since", "disabled_reason"])
        audit_record(
            tenant=tenant,
            action=WebhookAction.ENDPOINT_ENABLED,
            acting_user=acting_user,
            target=endpoint,
            target_label=endpoint.url,
        )
    return endpoint


@transaction.atomic
def endpoint_pause(*, tenant: Tenant, endpoint: Endpoint, acting_user: User | None) -> Endpoint:
    """Stop sending to the endpoint until it is resumed: events raised meanwhile are not
    queued for it (nor sent later), and deliveries waiting for a retry are not sent."""
    _assert_tenant(tenant, endpoint)
    # As stored now, under the row's lock: the worker may have turned it off since the
    # page read it (it takes the same lock to do so).
    current = (
        Endpoint.objects.select_for_update().only("is_active", "paused_at").get(pk=endpoint.pk)
    )
    endpoint.is_active, endpoint.paused_at = current.is_active, current.paused_at
    if not endpoint.is_active:
        raise WebhookError(_("This endpoint is off: turn it back on instead of pausing it."))
    if not endpoint.is_paused:
        endpoint.paused_at = timezone.now()
        endpoint.save(update_fields=["paused_at"])
        audit_record(
            tenant=tenant,
            action=WebhookAction.ENDPOINT_PAUSED,
            acting_user=acting_user,
            target=endpoint,
            target_label=endpoint.url,
        )
    return endpoint


@transaction.atomic
def endpoint_resume(*, tenant: Tenant, endpoint: Endpoint, acting_user: User | None) -> Endpoint:
    """Send events raised from now on again. Its failure streak starts again: the pause
    must not count towards turning it off."""
    _assert_tenant(tenant, endpoint)
    if endpoint.is_paused:
        endpoint.paused_at, endpoint.failing_since = None, None
        endpoint.save(update_fields=["paused_at", "failing_since"])
        audit_record(
            tenant=tenant,
            action=WebhookAction.ENDPOINT_RESUMED,
            acting_user=acting_user,
            target=endpoint,
            target_label=endpoint.url,
        )
    return endpoint


@transaction.atomic
def endpoint_test_send(*, tenant: Tenant, endpoint: Endpoint, acting_user: User | None) -> Delivery:
    """Queue the test event (webhooks.events.TEST_EVENT) for the endpoint, signed and
    logged like any delivery; its first attempt runs on commit."""
    _assert_tenant(tenant, endpoint)
    if endpoint.is_paused:
        raise WebhookError(_("Resume the endpoint before sending a test event."))
    if not endpoint.sends:
        raise WebhookError(_("Turn the endpoint back on before sending a test event."))
    delivery = event_emit_test(endpoint=endpoint)
    audit_record(
        tenant=tenant,
        action=WebhookAction.TEST_SENT,
        acting_user=acting_user,
        target=endpoint,
        target_label=endpoint.url,
    )
    return delivery


@transaction.atomic
def delivery_resend(*, tenant: Tenant, delivery: Delivery, acting_user: User | None) -> Delivery:
    """Send a delivery again now (same message id: receivers deduplicate on it).
    Audited as a test event is: the organisation's data goes out once more. Refused
    while an attempt of it is on the wire: it would go out twice at once."""
    _assert_tenant(tenant, delivery)
    if delivery.endpoint.is_paused:
        raise WebhookError(_("Resume the endpoint before resending."))
    if not delivery.endpoint.sends:
        raise WebhookError(_("Turn the endpoint back on before resending."))
    # As stored, locked: the worker counts its attempts concurrently.
    current = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if current.claimed_until is not None and current.claimed_until > timezone.now():
        raise WebhookError(
            _(
                "This delivery is being sent right now. Resend it once that attempt has "
                "finished, if it fails."
            )
        )
    current.status, current.next_attempt_at = Delivery.Status.PENDING, None
    # A new window of retries from the schedule's first step; the event's time stays.
    current.retries_from = timezone.now()
    current.attempts_before_window = current.attempts
    fields = ["status", "next_attempt_at", "retries_from", "attempts_before_window"]
    current.save(update_fields=fields)
    for name in [*fields, "attempts"]:  # the caller's copy too
        setattr(delivery, name, getattr(current, name))
    audit_record(
        tenant=tenant,
        action=WebhookAction.DELIVERY_RESENT,
        acting_user=acting_user,
        target=delivery.endpoint,
        target_label=delivery.endpoint.url,
        after={"message_id": delivery.message_id},
    )
    task_enqueue_transactional(webhook_deliver, delivery.pk)
    return delivery
