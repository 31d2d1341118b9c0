from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
import requests
import time_machine
from django.contrib.admin.sites import site
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.admin import EmailDeliveryAdmin
from accounts.exceptions import PermanentEmailError, TransientEmailError
from accounts.mail import email_enqueue
from accounts.mail_delivery import email_delivery_attempt
from accounts.models import EmailDelivery
from tests.accounts.mailtools import run_worker

TEMPLATE = "accounts/email/verify_email"


def _message() -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject="Hello",
        body="Plain body",
        from_email="Pacetrack <hello@example.com>",
        to=["a@example.com"],
        cc=["c@example.com"],
        bcc=["b@example.com"],
        reply_to=["support@example.com"],
        headers={"X-Entity-Ref-ID": "42"},
    )
    message.attach_alternative("<p>HTML body</p>", "text/html")
    message.attach("notes.txt", "hi", "text/plain")
    return message


def test_backend_maps_every_part_of_the_message(resend_transport):
    resend_transport.responses = [(200, {"id": "em_123"})]
    message = _message()
    message.idempotency_key = "delivery-7"
    assert get_connection().send_messages([message]) == 1
    call = resend_transport.calls[0]
    assert call["method"] == "post" and call["url"].endswith("/emails")
    assert call["headers"]["Authorization"] == "Bearer re_test_key"
    assert call["headers"]["Idempotency-Key"] == "delivery-7"
    assert call["json"] == {
        "from": "Pacetrack <hello@example.com>",
        "to": ["a@example.com"],
        "cc": ["c@example.com"],
        "bcc": ["b@example.com"],
        "reply_to": ["support@example.com"],
        "subject": "Hello",
        "headers": {"X-Entity-Ref-ID": "42"},
        "text": "Plain body",
        "html": "<p>HTML body</p>",
        "attachments": [{"filename": "notes.txt", "content": "aGk="}],
    }
    assert message.provider_message_id == "em_123"


@pytest.mark.parametrize(
    "answer",
    [
        (500, {"statusCode": 500, "name": "application_error", "message": "down"}),
        (503, {"statusCode": 503, "name": "internal_server_error", "message": "unavailable"}),
        (429, {"statusCode": 429, "name": "rate_limit_exceeded", "message": "slow down"}),
        requests.ConnectionError("connection refused"),
        requests.Timeout("read timed out"),
    ],
)
def test_outages_timeouts_and_rate_limits_are_transient(resend_transport, answer):
    resend_transport.responses = [answer]
    with pytest.raises(TransientEmailError):
        get_connection().send_messages([_message()])


@pytest.mark.parametrize(
    "answer",
    [
        (422, {"statusCode": 422, "name": "validation_error", "message": "Invalid `to` field"}),
        (403, {"statusCode": 403, "name": "validation_error", "message": "domain not verified"}),
        (401, {"statusCode": 401, "name": "missing_api_key", "message": "Missing API key"}),
    ],
)
def test_validation_and_auth_errors_are_permanent(resend_transport, answer):
    resend_transport.responses = [answer]
    with pytest.raises(PermanentEmailError):
        get_connection().send_messages([_message()])


def test_a_hanging_resend_times_out_after_ten_seconds(settings, monkeypatch):
    """The SDK's own transport (its default timeout is 30 s) with the network cut below
    it: our timeout is the one used, and the hang becomes a retryable failure."""
    import resend

    settings.RESEND_API_KEY = "re_test_key"
    settings.EMAIL_BACKEND = "accounts.backends.resend.ResendEmailBackend"
    monkeypatch.setattr(resend, "default_http_client", resend.RequestsClient())
    timeouts = []

    def hang(method, url, **kwargs):
        timeouts.append(kwargs["timeout"])
        raise requests.Timeout("HTTPSConnectionPool(host='api.resend.com'): Read timed out.")

    monkeypatch.setattr(requests, "request", hang)

    with pytest.raises(TransientEmailError):
        get_connection().send_messages([_message()])
    assert timeouts == [10]


def test_fail_silently_reports_zero_sent(resend_transport):
    resend_transport.responses = [
        (422, {"statusCode": 422, "name": "validation_error", "message": "bad"})
    ]
    assert get_connection(fail_silently=True).send_messages([_message()]) == 0


OUTAGE = (503, {"statusCode": 503, "name": "internal_server_error", "message": "unavailable"})


def test_a_transient_error_is_retried_later_with_backoff_and_then_sent(
    db_tasks, resend_transport, user, settings
):
    settings.EMAIL_DELIVERY_RETRY_BASE_SECONDS = 60
    resend_transport.responses = [OUTAGE, OUTAGE, (200, {"id": "em_ok"})]
    email_enqueue(to=user.email, template=TEMPLATE, context={"user": user, "url": "x"})

    run_worker()  # attempt 1 fails; the retry waits ~60 s, so the batch ends
    delivery = EmailDelivery.objects.get()
    assert delivery.status == EmailDelivery.Status.RETRYING
    assert delivery.attempts == 1 and "503" in delivery.last_error
    first_wait = delivery.next_attempt_at - delivery.last_attempt_at
    assert timedelta(seconds=47) <= first_wait <= timedelta(seconds=73)
    assert len(resend_transport.calls) == 1

    with time_machine.travel(delivery.next_attempt_at + timedelta(seconds=1)):
        run_worker()  # attempt 2 fails; wait doubles
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    second_wait = delivery.next_attempt_at - delivery.last_attempt_at
    assert timedelta(seconds=95) <= second_wait <= timedelta(seconds=145)

    with time_machine.travel(delivery.next_attempt_at + timedelta(seconds=1)):
        run_worker()  # attempt 3 succeeds
    delivery.refresh_from_db()
    assert delivery.status == EmailDelivery.Status.SENT
    assert delivery.provider_message_id == "em_ok"
    assert len(resend_transport.calls) == 3
    # Every attempt carried the same idempotency key, so Resend can drop a duplicate.
    keys = {call["headers"]["Idempotency-Key"] for call in resend_transport.calls}
    assert keys == {f"pacetrack-delivery-{delivery.pk}"}


def test_duplicate_tasks_for_one_email_spend_one_attempt_per_due_time(
    db_tasks, resend_transport, user, settings
):
    """An operator found `resume_email_deliveries --all` run three times beside the
    worker gave each email four tasks, each spending an attempt and queuing a retry of
    its own: ten attempts in 21 minutes where the backoff meant hours, then the email
    failed for good. Only the task that is due attempts; the others end."""
    settings.EMAIL_DELIVERY_RETRY_BASE_SECONDS = 60
    resend_transport.responses = [OUTAGE, OUTAGE, OUTAGE]
    email_enqueue(to=user.email, template=TEMPLATE, context={"user": user, "url": "x"})
    run_worker()  # attempt 1 fails; its retry is due in ~60 s
    for _ in range(3):  # the command, three times, while that retry waits
        call_command("resume_email_deliveries", "--all", stdout=StringIO())

    run_worker()  # the duplicates are not due either (queued for the same time)
    delivery = EmailDelivery.objects.get()
    assert delivery.attempts == 1
    with time_machine.travel(delivery.next_attempt_at + timedelta(seconds=2)):
        run_worker()  # four tasks due at once: one attempt, one retry queued

    delivery.refresh_from_db()
    assert delivery.attempts == 2 and len(resend_transport.calls) == 2
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    assert delivery.next_attempt_at - delivery.last_attempt_at >= timedelta(seconds=95)


def test_an_attempt_in_flight_is_not_made_twice(db_tasks, resend_transport, user):
    """Two tasks due together: the first claims the email while it sends, so the second,
    run meanwhile, finds it not due (two workers sent the same email before)."""
    email_enqueue(to=user.email, template=TEMPLATE, context={"user": user, "url": "x"})
    delivery = EmailDelivery.objects.get()
    second: list[str] = []

    def send_while_another_task_runs(*args: Any, **kwargs: Any) -> Any:
        second.append(email_delivery_attempt(delivery_id=delivery.pk, can_retry_later=True).status)
        return (200, {"id": "em_ok"})

    resend_transport.responses = [send_while_another_task_runs]
    run_worker()

    delivery.refresh_from_db()
    assert second == [EmailDelivery.Status.QUEUED]
    assert delivery.status == EmailDelivery.Status.SENT and delivery.attempts == 1


def test_retries_stop_after_the_maximum_and_the_email_is_kept_as_failed(
    db_tasks, resend_transport, user, settings
):
    settings.EMAIL_DELIVERY_MAX_ATTEMPTS = 2
    resend_transport.responses = [OUTAGE, OUTAGE]
    email_enqueue(to=user.email, template=TEMPLATE, context={"user": user, "url": "x"})
    run_worker()
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        run_worker()
    delivery = EmailDelivery.objects.get()
    assert delivery.status == EmailDelivery.Status.FAILED
    assert delivery.attempts == 2
    assert delivery.body_text  # nothing lost: it can be sent again


def test_a_permanent_error_is_recorded_not_lost_and_admin_can_retry_it(
    db_tasks, resend_transport, user, rf
):
    resend_transport.responses = [
        (422, {"statusCode": 422, "name": "validation_error", "message": "Invalid `to`"})
    ]
    email_enqueue(to=user.email, template=TEMPLATE, context={"user": user, "url": "x"})
    run_worker()
    delivery = EmailDelivery.objects.get()
    assert delivery.status == EmailDelivery.Status.FAILED
    assert "Invalid `to`" in delivery.last_error
    assert "Please confirm" in delivery.body_text
    assert len(resend_transport.calls) == 1  # not retried on its own

    request = rf.post("/admin/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    EmailDeliveryAdmin(EmailDelivery, site).retry_deliveries(request, EmailDelivery.objects.all())
    run_worker()
    delivery.refresh_from_db()
    assert delivery.status == EmailDelivery.Status.SENT
    assert len(resend_transport.calls) == 2


def test_with_the_immediate_backend_a_transient_failure_is_kept_for_a_retry(
    resend_transport, user, django_capture_on_commit_callbacks
):
    resend_transport.responses = [OUTAGE]
    with django_capture_on_commit_callbacks(execute=True):
        email_enqueue(to=user.email, template=TEMPLATE, context={"user": user, "url": "x"})
    delivery = EmailDelivery.objects.get()
    assert delivery.status == EmailDelivery.Status.FAILED  # cannot defer; visible in admin
    assert delivery.body_text
