"""Helpers for the email tests: links from captured mail, the database task worker,
and a stub of the Resend SDK's HTTP transport (the network edge, nothing of ours)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import resend
from django.conf import settings
from django.core.mail import EmailMessage
from resend.http_client import HTTPClient

URL_RE = re.compile(r"https?://[^\s<>\"]+")


def link_in(message: EmailMessage) -> str:
    """The first link to the site in the plain-text body, as a path for the test client."""
    for url in URL_RE.findall(message.body):
        if url.startswith(settings.SITE_URL):
            return url[len(settings.SITE_URL) :]
    raise AssertionError(f"no {settings.SITE_URL} link in: {message.body}")


def run_worker() -> None:
    """Run the real db_worker loop in-process until no task is ready."""
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


@pytest.fixture
def db_tasks(settings: Any, transactional_db: None) -> None:
    """The durable database task backend (the worker commits, so no test transaction)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class FakeResendTransport(HTTPClient):
    """Stands in for the SDK's `requests` client: answers each call with the next
    scripted response (status, JSON body) or raises the scripted exception."""

    def __init__(self, *responses: Any) -> None:
        self.responses = list(responses)
        self.calls: list[dict[str, Any]] = []

    def request(self, method: str, url: str, headers: Any, json: Any = None, **kw: Any) -> Any:
        self.calls.append({"method": method, "url": url, "headers": dict(headers), "json": json})
        answer = self.responses.pop(0) if self.responses else (200, {"id": "email-ok"})
        if isinstance(answer, BaseException):
            raise answer
        if callable(answer):  # runs while the request is in flight
            answer = answer(method, url)
        status, body = answer
        return _json(body), status, {"content-type": "application/json"}


def _json(body: Any) -> bytes:
    return json.dumps(body).encode()


@pytest.fixture
def resend_transport(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Email goes through ResendEmailBackend; HTTP stops at a FakeResendTransport."""
    settings.RESEND_API_KEY = "re_test_key"
    settings.EMAIL_BACKEND = "accounts.backends.resend.ResendEmailBackend"
    transport = FakeResendTransport()
    monkeypatch.setattr(resend, "default_http_client", transport)
    yield transport


def sign_up_by_email(
    page: Any, mailoutbox: list[Any], *, name: str, email: str, password: str
) -> None:
    """Sign up in a browser the default way: fill in the form, then open the link
    from the email and confirm. Ends signed in, on the new personal workspace."""
    page.goto("/auth/sign-up/")
    page.fill("input[name=name]", name)
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_url("**/auth/sign-up/sent/")
    page.goto(link_in(mailoutbox[-1]))
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_url("**/t/**")
