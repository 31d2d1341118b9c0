from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client
from django_tasks_db.models import DBTaskResult

from accounts.mail import email_enqueue
from accounts.mail_delivery import _for_log, email_render
from accounts.models import EmailDelivery
from tests.accounts.mailtools import URL_RE, run_worker

pytestmark = pytest.mark.django_db

TEMPLATE = "accounts/email/verify_email"


def context(user, url="https://app.example.com/auth/verify-email/abc/"):
    return {"user": user, "url": url}


def test_every_email_has_a_one_line_subject_text_and_html_with_the_product_and_link(user):
    subject, text, html = email_render(template=TEMPLATE, context=context(user))
    assert subject == "Confirm your email address for Pacetrack"
    assert "https://app.example.com/auth/verify-email/abc/" in text
    assert 'href="https://app.example.com/auth/verify-email/abc/"' in html
    assert "Pacetrack" in text and "Pacetrack" in html
    assert "Confirm email address" in html  # the call to action
    assert "<style" not in html  # inline styles only


def test_plain_text_is_not_html_escaped(user):
    user.name = "Zoë O'Neil & co"
    _subject, text, _html = email_render(template=TEMPLATE, context=context(user))
    assert "Zoë" in text and "&amp;" not in text and "&#x27;" not in text


def test_links_come_from_site_url_never_from_the_host_header(
    client, user, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://app.example.com"
    settings.ALLOWED_HOSTS = ["*"]  # even if the host check were too lax
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/auth/password/forgot/", {"email": user.email}, HTTP_HOST="evil.example.net")
    assert len(mailoutbox) == 1
    assert "https://app.example.com/auth/password/reset/" in mailoutbox[0].body
    assert "evil.example.net" not in mailoutbox[0].body


def test_nothing_is_sent_before_commit_and_the_email_goes_out_after(
    user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        email_enqueue(to=user.email, template=TEMPLATE, context=context(user))
        assert mailoutbox == []
    assert len(callbacks) == 1
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [user.email]
    assert message.alternatives[0][1] == "text/html"
    delivery = EmailDelivery.objects.get()
    assert delivery.status == EmailDelivery.Status.SENT
    assert delivery.attempts == 1
    assert delivery.body_text == delivery.body_html == ""  # links are not kept once sent


class Boom(Exception):
    """Raised by a test to roll its transaction back."""


def test_a_rolled_back_change_sends_nothing(user, mailoutbox, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        email_enqueue(to=user.email, template=TEMPLATE, context=context(user))
        raise Boom
    assert mailoutbox == []
    assert not EmailDelivery.objects.exists()


def test_an_email_needs_a_recipient(user):
    with pytest.raises(ValueError, match="at least one recipient"):
        email_enqueue(to=[], template=TEMPLATE, context=context(user))


def test_database_queue_commits_the_task_with_the_change_and_the_worker_sends_it(
    db_tasks, user, mailoutbox
):
    with transaction.atomic():
        email_enqueue(to=user.email, template=TEMPLATE, context=context(user))
        assert DBTaskResult.objects.count() == 1  # written inside the same transaction
    assert mailoutbox == []  # nothing is sent inside the request
    run_worker()
    assert len(mailoutbox) == 1
    assert EmailDelivery.objects.get().status == EmailDelivery.Status.SENT
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_database_queue_rollback_leaves_no_task(db_tasks, user, mailoutbox):
    with pytest.raises(Boom), transaction.atomic():
        email_enqueue(to=user.email, template=TEMPLATE, context=context(user))
        raise Boom
    assert not DBTaskResult.objects.exists()
    run_worker()
    assert mailoutbox == []


# --- Live links and the admin ----------------------------------------------------------

INVALID_TO = (422, {"statusCode": 422, "name": "validation_error", "message": "Invalid `to`"})


def test_a_reset_email_that_finally_failed_leaves_no_usable_link_in_the_admin(
    client, user, staff, resend_transport, django_capture_on_commit_callbacks
):
    resend_transport.responses = [INVALID_TO]
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/auth/password/forgot/", {"email": user.email})
    (link,) = URL_RE.findall(resend_transport.calls[0]["json"]["text"])
    token = link.rstrip("/").rsplit("/", 1)[-1]
    delivery = EmailDelivery.objects.get()
    assert delivery.status == EmailDelivery.Status.FAILED
    staff_browser = Client()  # `client` is the person asking for the reset
    staff_browser.force_login(staff)

    page = staff_browser.get(
        f"/admin/accounts/emaildelivery/{delivery.pk}/change/"
    ).content.decode()

    assert token not in page
    assert "[one-time link removed]" in page
    assert "Choose a new password here" in page  # the rest of the message is kept
    delivery.refresh_from_db()
    assert token not in delivery.body_text and token not in delivery.body_html
    # Retrying would send a broken email: refused with the reason, nothing is sent.
    retried = staff_browser.post(
        "/admin/accounts/emaildelivery/",
        {"action": "retry_deliveries", "_selected_action": [delivery.pk]},
        follow=True,
    )
    assert "ask the person to request a new email" in retried.content.decode()
    assert len(resend_transport.calls) == 1


def test_staff_never_see_a_live_link_even_while_the_email_waits_to_be_sent(user, staff_client):
    url = "http://localhost:8000/auth/verify-email/sEcReT-tOkEn-123/"
    # Not committed (the test's transaction), so it stays queued with its body.
    [delivery] = email_enqueue(to=user.email, template=TEMPLATE, context={"user": user, "url": url})

    page = staff_client.get(f"/admin/accounts/emaildelivery/{delivery.pk}/change/")

    assert "sEcReT-tOkEn-123" not in page.content.decode()
    assert "sEcReT-tOkEn-123" in EmailDelivery.objects.get().body_text  # still sendable


def test_links_without_a_token_are_kept_and_retried(user, settings):
    from accounts.mail_delivery import without_live_links

    settings.SITE_URL = "https://app.example.com"
    text = (
        "Reset: https://app.example.com/auth/password/reset/abc123/\n"
        "Invite: https://app.example.com/invites/xyz789/\n"
        "Devices: https://app.example.com/account/sessions/\n"
        "Elsewhere: https://stripe.com/auth/password/reset/abc123/\n"
    )
    assert without_live_links(text) == (
        "Reset: [one-time link removed]\n"
        "Invite: [one-time link removed]\n"
        "Devices: https://app.example.com/account/sessions/\n"
        "Elsewhere: https://stripe.com/auth/password/reset/abc123/\n"
    )


def test_an_email_whose_task_was_lost_is_resumed_and_sent_once(db_tasks, user, mailoutbox):
    """The database restarting between a failed attempt and the record of its retry
    (found by `make soak`) leaves a retrying email with no task: the resume command
    queues it again, and the worker sends it exactly once."""
    with transaction.atomic():
        email_enqueue(to=user.email, template=TEMPLATE, context=context(user))
    DBTaskResult.objects.all().delete()  # the task is gone with the crashed worker
    EmailDelivery.objects.update(status=EmailDelivery.Status.RETRYING)
    run_worker()
    assert mailoutbox == []  # nothing would ever send it

    call_command("resume_email_deliveries", "--stale", "3600", stdout=StringIO())
    run_worker()
    assert mailoutbox == []  # not overdue yet: a recent email may still have its task

    out = StringIO()
    call_command("resume_email_deliveries", "--all", stdout=out)
    call_command("resume_email_deliveries", "--all", stdout=StringIO())  # queued twice
    run_worker()

    assert "Queued 1 email(s) again." in out.getvalue()
    assert len(mailoutbox) == 1
    assert EmailDelivery.objects.get().status == EmailDelivery.Status.SENT


@pytest.mark.django_db
def test_resume_email_deliveries_refuses_a_negative_or_second_selection() -> None:
    """`--stale -1` resumed what was not overdue, and `--all --stale 5` ignored one."""
    with pytest.raises(CommandError, match="--stale -1: give 0 seconds or more."):
        call_command("resume_email_deliveries", "--stale", "-1", stdout=StringIO())
    with pytest.raises(CommandError, match="not allowed with argument"):
        call_command("resume_email_deliveries", "--all", "--stale", "5", stdout=StringIO())


def test_an_smtp_refusal_is_logged_without_the_address_it_names(
    user, settings, caplog, django_capture_on_commit_callbacks
):
    """An operator found `Recipients refused: {'member@pacetrack.test': (550, …)}` in
    the log, which keeps no addresses (docs/security.md); staff still read it on the
    delivery in the admin."""
    from tests.config.smtp_peer import SmtpPeer

    peer = SmtpPeer(refuse_recipients=True)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", peer.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    try:
        with (
            caplog.at_level("WARNING", logger="accounts.mail"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            email_enqueue(to=[user.email], template="accounts/email/password_changed", context={})
    finally:
        peer.close()

    delivery = EmailDelivery.objects.get()
    assert delivery.status == EmailDelivery.Status.FAILED
    assert user.email in delivery.last_error  # for staff, in the admin
    [line] = [r.getMessage() for r in caplog.records if r.name == "accounts.mail"]
    assert "failed permanently" in line and "Recipients refused" in line
    assert user.email not in line and "[address]" in line


@pytest.mark.parametrize(
    "address",
    ['"ann@home"@example.com', '"ann.smith"@example.com', "ann@[192.0.2.1]", "ann@example.com"],
)
def test_a_logged_refusal_hides_quoted_and_literal_addresses_whole(address) -> None:
    """Django's EmailValidator accepts a quoted local part and an address literal, so an
    account can have one; the log's redaction left `"ann@` or `[192.0.2.1]` behind."""
    from django.core.validators import validate_email

    validate_email(address)  # an address someone can sign up with
    refusal = Exception({address: (550, b"5.1.1 no such user")})
    logged = _for_log(Exception(f"550 <{address}>: no such user")) + _for_log(refusal)

    assert "ann" not in logged and "192.0.2.1" not in logged and "example" not in logged
    assert logged.count("[address]") == 2
