"""When an endpoint cannot be reached, its owner reads what happened in their language,
with the HTTP library's own words folded under it (internals left out); the peers are
real sockets on loopback that refuse, never accept, never answer, hang up, trickle their
answer a byte at a time, or present a certificate nobody signed."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from sso.saml import sp_keypair_generate
from tests.tenants.factories import make_team
from tests.webhooks.conftest import Zone
from webhooks.models import Attempt, Delivery
from webhooks.services import endpoint_create

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _loopback_allowed(settings: Any) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = True  # the peers listen on 127.0.0.1
    settings.WEBHOOKS_CONNECT_TIMEOUT = 0.3
    settings.WEBHOOKS_READ_TIMEOUT = 0.3


def _serve(listener: socket.socket, handle: Callable[[socket.socket], None]) -> Iterator[int]:
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            handle(conn)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    listener.close()


def _listener(backlog: int = 8) -> socket.socket:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(backlog)
    return listener


@pytest.fixture
def nothing_listens() -> int:
    """A port that was just free: the kernel refuses the connection."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = int(probe.getsockname()[1])
    probe.close()
    return port


@pytest.fixture
def never_accepts() -> Iterator[int]:
    """A listener whose queue is full: a new connection's handshake never completes."""
    listener = _listener(backlog=0)
    port = listener.getsockname()[1]
    waiting = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))  # in progress: the queue takes it, or not
        waiting.append(filler)
    yield port
    for filler in waiting:
        filler.close()
    listener.close()


@pytest.fixture
def never_answers() -> Iterator[int]:
    """Accepts and reads, then says nothing."""
    held: list[socket.socket] = []
    yield from _serve(_listener(), held.append)
    for conn in held:
        conn.close()


@pytest.fixture
def hangs_up() -> Iterator[int]:
    """Accepts and closes at once."""
    yield from _serve(_listener(), lambda conn: conn.close())


@pytest.fixture
def self_signed(tmp_path: Path) -> Iterator[int]:
    """HTTPS with a certificate for hooks.example.com that no authority signed."""
    key, cert = sp_keypair_generate(common_name="hooks.example.com")  # any self-signed one
    (tmp_path / "cert.pem").write_text(cert)
    (tmp_path / "key.pem").write_text(key)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")

    def handshake(conn: socket.socket) -> None:
        try:
            context.wrap_socket(conn, server_side=True).close()
        except (ssl.SSLError, OSError):  # the client gives up on our certificate
            conn.close()

    yield from _serve(_listener(), handshake)


def _trickle(start: bytes, then: bytes) -> Callable[[socket.socket], None]:
    """Reads the request, sends `start`, then `then` a byte every 0.1 s: each read
    gets something well within the read timeout, the answer never ends in time."""

    def handle(conn: socket.socket) -> None:
        conn.recv(65536)
        try:
            conn.sendall(start)
            for byte in then:
                time.sleep(0.1)
                conn.sendall(bytes([byte]))
        except OSError:  # the client cut it
            pass
        conn.close()

    return handle


# What a trickling peer has sent before it slows down, and what it then trickles.
TRICKLES = {
    "status line": (b"", b"HTTP/1.1 200 OK\r\n" * 4),
    "headers": (b"HTTP/1.1 200 OK\r\n", b"X-Slow: " + b"a" * 60),
    "body": (b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n", b"x" * 60),
}


@pytest.fixture
def trickles(request: pytest.FixtureRequest) -> Iterator[int]:
    yield from _serve(_listener(), _trickle(*TRICKLES[request.param]))


def _attempt_to(acme: Any, owner: Any, url: str) -> Attempt:
    endpoint_create(
        tenant=acme, url=url, description="", event_types=["team.created"], acting_user=owner
    )
    make_team(acme, "Reached?")
    attempt = Attempt.objects.get()
    assert attempt.response_status is None
    assert Delivery.objects.get().status == "pending"  # a network error is retried
    return attempt


@pytest.mark.parametrize(
    ("peer", "scheme", "said", "library"),
    [
        (
            "nothing_listens",
            "http",
            "127.0.0.1 refused the connection on port {port}.",
            "NewConnectionError: ",
        ),
        (
            "never_accepts",
            "http",
            "127.0.0.1 did not accept a connection within 0.3 seconds.",
            "ConnectTimeoutError: ",
        ),
        (
            "never_answers",
            "http",
            "127.0.0.1 did not answer within 0.3 seconds.",
            "ReadTimeoutError: ",
        ),
        (
            "hangs_up",
            "http",
            "127.0.0.1 closed the connection before answering.",
            "ProtocolError: ",
        ),
        (
            "hangs_up",
            "https",
            "A secure (HTTPS) connection to 127.0.0.1 on port {port} failed.",
            "SSLError: ",
        ),
    ],
)
def test_each_network_failure_is_said_with_the_librarys_words_beside_it(
    acme: Any,
    owner: Any,
    request: pytest.FixtureRequest,
    peer: str,
    scheme: str,
    said: str,
    library: str,
) -> None:
    port = request.getfixturevalue(peer)
    attempt = _attempt_to(acme, owner, f"{scheme}://127.0.0.1:{port}/hook")
    assert attempt.error_said == said.format(port=port)
    assert attempt.error.startswith(library)  # for logs and the admin, as it was said
    assert attempt.error_detail.startswith(library)  # for the endpoint's developer …
    for internal in ("object at 0x", "Connection(host=", "ConnectionPool(", "_ssl.c", ".py"):
        assert internal not in attempt.error_detail  # … without what only we could read


def test_a_certificate_nobody_signed_is_said_as_such(
    acme: Any, owner: Any, self_signed: int, dns_zone: Zone
) -> None:
    dns_zone.answers["hooks.example.com"] = [["127.0.0.1"]]
    attempt = _attempt_to(acme, owner, f"https://hooks.example.com:{self_signed}/hook")
    assert attempt.error_said == (
        "hooks.example.com's certificate could not be verified: it must be valid for that "
        "name and signed by a public certificate authority."
    )
    assert "CERTIFICATE_VERIFY_FAILED" in attempt.error
    assert attempt.error_detail.startswith("SSLError: [SSL: CERTIFICATE_VERIFY_FAILED]")
    assert "(_ssl.c:" not in attempt.error_detail


def test_the_endpoint_page_says_it_in_the_owners_language(
    acme: Any, owner: Any, owner_client: Any, nothing_listens: int
) -> None:
    with translation.override("ar"):  # whoever's request runs the attempt
        attempt = _attempt_to(acme, owner, f"http://127.0.0.1:{nothing_listens}/hook")
    assert attempt.error.startswith("NewConnectionError: ")  # stays English
    type(owner).objects.filter(pk=owner.pk).update(language="de")

    endpoint_id = attempt.delivery.endpoint_id
    html = owner_client.get(f"/t/{acme.slug}/settings/webhooks/{endpoint_id}/").content.decode()

    assert (
        f"127.0.0.1 hat die Verbindung auf Port {nothing_listens} abgelehnt." in html
    )  # the sentence in German, the library's words beside it as they are
    detail = html.split('data-testid="attempt-detail"', 1)[1].split("</details>", 1)[0]
    assert "<summary" in detail and "Technische Details" in detail  # folded away
    assert '<code class="block break-all text-start" dir="ltr">NewConnectionError: ' in detail
    assert "object at 0x" not in html and "Connection(host=" not in html
    assert "refused the connection" not in html


@pytest.mark.parametrize(
    ("trickles", "scheme"),
    [("status line", "http"), ("headers", "http"), ("body", "http")],
    indirect=["trickles"],
)
def test_a_receiver_trickling_its_answer_is_cut_off_at_the_total_timeout(
    acme: Any, owner: Any, settings: Any, trickles: int, scheme: str
) -> None:
    """Each read got a byte within the read timeout, so a receiver could hold the worker
    as long as it liked, past the delivery's claim (another worker then sent it too)."""
    settings.WEBHOOKS_TOTAL_TIMEOUT = 0.8
    attempt = _attempt_to(acme, owner, f"{scheme}://127.0.0.1:{trickles}/hook")
    assert attempt.error_said == "127.0.0.1 took longer than 0.8 seconds to answer."
    assert attempt.error_detail == "TimeoutError: the request took longer than 0.8 s in all."
    assert 800 <= attempt.duration_ms < 2000  # not the 6 s the peer would trickle for
