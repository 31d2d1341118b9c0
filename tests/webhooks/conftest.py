"""Real peers on loopback: a webhook receiver (HTTP) that verifies signatures with the
`standardwebhooks` library, and a DNS server (dnslib) whose answers a test controls."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from dnslib import AAAA, QTYPE, RCODE, RR, A
from dnslib.server import BaseResolver, DNSLogger, DNSServer
from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    verified_with: list[str]  # which of the receiver's secrets verified it


@dataclass
class Receiver:
    """Answers with `statuses` in turn (the last one repeats); `secrets` verify."""

    url: str
    port: int
    statuses: list[int] = field(default_factory=lambda: [200])
    secrets: list[str] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    extra_headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"thanks"
    # Called while a request is being answered: what happens meanwhile elsewhere.
    during: Callable[[], None] | None = None

    def next_status(self) -> int:
        return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}
            verified = []
            for secret in receiver.secrets:
                try:
                    Webhook(secret).verify(body, headers)
                    verified.append(secret)
                except WebhookVerificationError:
                    pass
            receiver.received.append(Received(self.path, headers, body, verified))
            if receiver.during is not None:
                receiver.during()
            self.send_response(receiver.next_status())
            for name, value in receiver.extra_headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(receiver.body)))
            self.end_headers()
            self.wfile.write(receiver.body)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = server.server_address[1]
    state = Receiver(url=f"http://127.0.0.1:{port}/hooks/pacetrack", port=port)
    server.RequestHandlerClass = _handler(state)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


class Zone(BaseResolver):
    """Names to answers; a name's list of answers is used in turn (the last repeats), so
    a test can make an answer change between two queries (DNS rebinding)."""

    def __init__(self) -> None:
        self.answers: dict[str, list[list[str]]] = {}
        self.queries: list[tuple[str, str]] = []
        self.failing: set[str] = set()  # names answered SERVFAIL

    def resolve(self, request: Any, handler: Any) -> Any:
        reply = request.reply()
        name = str(request.q.qname).rstrip(".")
        kind = QTYPE[request.q.qtype]
        self.queries.append((name, kind))
        if name in self.failing:
            reply.header.rcode = RCODE.SERVFAIL
            return reply
        turns = self.answers.get(name)
        if turns:
            ips = turns.pop(0) if kind == "A" and len(turns) > 1 else turns[0]
            for ip in ips:
                if kind == "A" and ":" not in ip:
                    reply.add_answer(RR(request.q.qname, QTYPE.A, rdata=A(ip), ttl=0))
                elif kind == "AAAA" and ":" in ip:
                    reply.add_answer(RR(request.q.qname, QTYPE.AAAA, rdata=AAAA(ip), ttl=0))
        return reply


@pytest.fixture
def dns_zone(settings: Any) -> Iterator[Zone]:
    """A DNS server on loopback that webhook hosts are resolved through."""
    zone = Zone()
    server = DNSServer(
        zone,
        address="127.0.0.1",
        port=0,
        logger=DNSLogger("-request,-reply,-truncated,-error,-recv,-send,-data"),
    )
    server.start_thread()
    port = server.server.server_address[1]
    settings.WEBHOOKS_DNS_SERVERS = [f"127.0.0.1:{port}"]
    yield zone
    server.stop()
