from __future__ import annotations

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from accounts.mail import email_enqueue, email_render
from accounts.models import EmailDelivery
from tests.accounts.mailtools import run_worker

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


def test_a_rolled_back_change_sends_nothing(user, mailoutbox, django_capture_on_commit_callbacks):
    class Boom(Exception):
        pass

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
    with pytest.raises(ValueError):
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
    with pytest.raises(RuntimeError), transaction.atomic():
        email_enqueue(to=user.email, template=TEMPLATE, context=context(user))
        raise RuntimeError
    assert not DBTaskResult.objects.exists()
    run_worker()
    assert mailoutbox == []
