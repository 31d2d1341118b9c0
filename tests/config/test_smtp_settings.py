"""SMTP is configured from the environment alone: an operator found EMAIL_HOST and
EMAIL_PORT ignored (the README named them; nothing read them), so the SMTP backend
talked to localhost:25."""

from __future__ import annotations

from tests.config.smtp_peer import SmtpPeer
from tests.config.test_settings import _manage

SEND = (
    "from django.core.mail import send_mail; "
    "send_mail('Hello over SMTP', 'Body', 'app@example.com', ['ops@example.com'])"
)


def test_the_smtp_backend_sends_to_the_host_and_port_the_environment_names() -> None:
    peer = SmtpPeer()
    try:
        sent = _manage(
            "shell",
            "-c",
            SEND,
            DEBUG="true",
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(peer.port),
            EMAIL_USE_TLS="false",
        )
    finally:
        peer.close()

    assert sent.returncode == 0, sent.stderr[-2000:]
    [message] = peer.messages
    assert message["from"] == "<app@example.com>" and message["rcpt"] == ["<ops@example.com>"]
    assert "Subject: Hello over SMTP" in message["data"]


def test_tls_and_ssl_together_are_refused_at_start() -> None:
    started = _manage("check", DEBUG="true", EMAIL_USE_TLS="true", EMAIL_USE_SSL="true")

    assert started.returncode != 0
    assert "EMAIL_USE_TLS (STARTTLS, port 587) and EMAIL_USE_SSL (port 465)" in started.stderr
