"""`make soak`: two app instances, 50 simulated users for 60 s, faults injected live.

Everything runs on loopback and is started (and stopped, by pid) by this script:
a throwaway PostgreSQL cluster (initdb in a temp dir), its own redis-server, a moto
S3 server behind a small TCP proxy (so S3 can go away without losing its
objects), a fake Resend API, two gunicorn instances sharing all of them (as two
machines would), and the email worker. The shared PostgreSQL/Redis on the machine
are never touched.

Timeline (seconds after the load starts): email provider answers 500 until 40;
Redis stopped 8-18; PostgreSQL stopped 26-29 and started again; S3 unreachable
38-44. Each fault has its expected outcome asserted; afterwards the scale-out
checks run and the results go to bench/results/soak-latest.md.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

from bench.lib import (
    BIN,
    RESULTS,
    ROOT,
    Processes,
    log,
    manage,
    production_env,
    require_port,
    s3_create_bucket,
    s3_env,
    start_gunicorn,
    start_moto,
    temp_dir,
)
from bench.seed import SEED_DOMAIN, SEED_PASSWORD

APP_PORTS = (8201, 8202)
MOTO_PORT = 8203
S3_PROXY_PORT = 8204
PG_PORT = 8205
REDIS_PORT = 8206
RESEND_PORT = 8207
BUCKET = "pacetrack-soak"
PG_BIN = Path("/usr/lib/postgresql/15/bin")

USERS = int(os.environ.get("SOAK_USERS", "50"))
DURATION = int(os.environ.get("SOAK_SECONDS", "60"))
REDIS_DOWN = (8.0, 18.0)
PG_DOWN = (26.0, 29.0)
S3_DOWN = (38.0, 44.0)
EMAIL_DOWN_UNTIL = 40.0


# --- Fakes: the email provider and an S3 link that can be cut -----------------------


class FakeResend:
    """Resend's `POST /emails` on loopback; answers 500 while `failing` is set."""

    def __init__(self, port: int) -> None:
        self.failing = True
        self.received: list[dict[str, Any]] = []
        self.refused = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if outer.failing:
                    outer.refused += 1
                    payload = {
                        "statusCode": 500,
                        "name": "internal_server_error",
                        "message": "soak: provider outage",
                    }
                    self._reply(500, payload)
                    return
                outer.received.append(json.loads(body or b"{}"))
                self._reply(200, {"id": secrets.token_hex(8)})

            def _reply(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        require_port(port, "fake Resend")
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class CuttableProxy:
    """A TCP forwarder to moto. `cut()` closes the listening socket (connection
    refused, like a dead S3 endpoint) and drops open connections; `restore()`
    listens again. moto keeps its objects meanwhile."""

    def __init__(self, port: int, target: int) -> None:
        self.port, self.target = port, target
        self.sock: socket.socket | None = None
        self.conns: list[socket.socket] = []
        self.lock = threading.Lock()
        require_port(port, "S3 proxy")
        self.restore()

    def restore(self) -> None:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(128)
        self.sock = sock
        threading.Thread(target=self._accept, args=(sock,), daemon=True).start()

    def cut(self) -> None:
        with self.lock:
            if self.sock:
                # shutdown() wakes the thread blocked in accept(); close() alone does not.
                with contextlib.suppress(OSError):
                    self.sock.shutdown(socket.SHUT_RDWR)
                self.sock.close()
                self.sock = None
            for conn in self.conns:
                with contextlib.suppress(OSError):
                    conn.close()
            self.conns.clear()

    def _accept(self, sock: socket.socket) -> None:
        while True:
            try:
                client, _ = sock.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target))
            except OSError:
                client.close()
                continue
            with self.lock:
                self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)


# --- Our own PostgreSQL cluster and Redis -------------------------------------------


class Postgres:
    """A throwaway cluster. PostgreSQL refuses to run as root: when we are root, its
    commands run as the `postgres` system user, owning the temp directory."""

    def __init__(self, datadir: Path, port: int) -> None:
        self.datadir, self.port = datadir, port
        require_port(port, "soak PostgreSQL")
        self.log = datadir.parent / "postgres.log"
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            self.prefix = ["runuser", "-u", "postgres", "--"]
            import shutil

            shutil.chown(datadir.parent, "postgres")
        subprocess.run(
            [
                *self.prefix,
                str(PG_BIN / "initdb"),
                "-D",
                str(datadir),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
            ],
            check=True,
            capture_output=True,
        )

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            [
                *self.prefix,
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(self.datadir),
                "-l",
                str(self.log),
                "-w",
                "-t",
                "30",
                *args,
            ],
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        opts = (
            f"-p {self.port} -k {self.datadir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=100"
        )
        self._ctl("-o", opts, "start")

    def stop(self) -> None:
        self._ctl("-m", "fast", "stop")


def start_redis(procs: Processes, logfile: Path) -> subprocess.Popen:
    proc = procs.start(
        "redis",
        [
            "redis-server",
            "--port",
            str(REDIS_PORT),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        logfile=logfile,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", REDIS_PORT), timeout=0.5).close()
            return proc
        except OSError:
            time.sleep(0.1)
    raise SystemExit("redis-server did not start")


# --- Simulated users ----------------------------------------------------------------


@dataclass
class Event:
    t: float  # when the request started, seconds after the load began
    op: str
    port: int
    status: int
    clean: bool = True  # False: a 5xx whose body is a traceback or not our page
    note: str = ""
    seconds: float = 0.0


@dataclass
class Record:
    events: list[Event] = field(default_factory=list)
    acked_files: list[tuple[str, str]] = field(default_factory=list)  # (slug, filename)
    acked_avatars: dict[str, int] = field(default_factory=dict)  # email -> count
    acked_invites: list[tuple[str, str]] = field(default_factory=list)  # (org slug, address)
    # Answers to invite posts that were not an acknowledgement, by reason ("already
    # pending", "plan member cap", "rate limit", or anything else, which fails a check).
    invite_refusals: Counter = field(default_factory=Counter)
    revocations: list[tuple[str, bool | None]] = field(default_factory=list)  # (email, took effect)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, event: Event) -> None:
        with self.lock:
            self.events.append(event)


def png(seed: int) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (seed % 256, (seed * 7) % 256, 200)).save(buf, format="PNG")
    return buf.getvalue()


class Browser:
    """One person with one cookie jar, alternating between the two instances."""

    def __init__(self, email: str, ip: str, t0: float, record: Record, ua: str = "soak") -> None:
        self.email, self.ip, self.t0, self.record = email, ip, t0, record
        self.http = requests.Session()
        # Cookies are kept by hand: production settings mark the CSRF cookie Secure, and
        # requests (rightly) never sends a Secure cookie over plain http; a browser here
        # would be on https.
        self.cookies: dict[str, str] = {}
        self.http.headers.update({"X-Forwarded-For": ip, "User-Agent": ua})
        self.n = 0

    def port(self) -> int:
        self.n += 1
        return APP_PORTS[self.n % 2]

    def request(
        self, op: str, method: str, path: str, port: int | None = None, **kwargs: Any
    ) -> requests.Response | None:
        port = port or self.port()
        headers = kwargs.pop("headers", {})
        if method == "POST" and "csrfmiddlewaretoken" not in kwargs.get("data", {}):
            # The htmx/fetch way; a form post carries the page's token in the body instead.
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.http.cookies.clear()
        began = time.monotonic()
        try:
            resp = self.http.request(
                method,
                f"http://127.0.0.1:{port}{path}",
                headers=headers,
                allow_redirects=False,
                timeout=30,
                **kwargs,
            )
        except requests.RequestException as exc:
            self.record.add(
                Event(
                    began - self.t0,
                    op,
                    port,
                    0,
                    False,
                    exc.__class__.__name__,
                    time.monotonic() - began,
                )
            )
            return None
        for name, value in resp.cookies.items():
            if value is not None:
                self.cookies[name] = value
        self.http.cookies.clear()
        clean = True
        note = ""
        if resp.status_code >= 500:
            body = resp.text
            clean = "Traceback" not in body and (
                "be right back" in body or "went wrong" in body.lower()
            )
            note = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))[:120]
        self.record.add(
            Event(
                began - self.t0, op, port, resp.status_code, clean, note, time.monotonic() - began
            )
        )
        return resp

    def sign_in(self) -> bool:
        self.request("sign-in page", "GET", "/auth/sign-in/")
        resp = self.request(
            "sign-in",
            "POST",
            "/auth/sign-in/",
            data={"email": self.email, "password": SEED_PASSWORD},
        )
        return resp is not None and resp.status_code == 302


def user_loop(
    i: int, slug: str, org: str, t0: float, stop: threading.Event, record: Record
) -> None:
    email = f"user{i}@{SEED_DOMAIN}"
    rnd = random.Random(i)
    me = Browser(email, f"10.1.{i // 250}.{i % 250 + 1}", t0, record, ua=f"soak-main-{i}")
    # People arrive over the first 6 s rather than in one Argon2 stampede.
    if stop.wait(rnd.uniform(0, 6)):
        return
    while not me.sign_in():
        if stop.wait(1):
            return
    files = 0
    invited: list[str] = []  # addresses whose invitation was acknowledged
    revoked_once = False
    while not stop.is_set():
        roll = rnd.random()
        if roll < 0.38:
            me.request("dashboard", "GET", f"/t/{slug}/")
        elif roll < 0.45:
            invite_member(me, i, org, rnd, record, invited)
        elif roll < 0.60:
            me.request("account", "GET", "/account/")
        elif roll < 0.68:
            me.request("devices", "GET", "/account/sessions/")
        elif roll < 0.75:
            me.request("files", "GET", f"/t/{slug}/files/")
        elif roll < 0.85:
            files += 1
            name = f"soak-{i}-{files}.png"
            resp = me.request(
                "file upload",
                "POST",
                f"/t/{slug}/files/upload/",
                files={"file": (name, png(i * 1000 + files), "image/png")},
            )
            if resp is not None and resp.status_code == 302:
                with record.lock:
                    record.acked_files.append((slug, name))
        elif roll < 0.90:
            resp = me.request(
                "avatar upload",
                "POST",
                "/account/avatar/",
                files={"image": ("me.png", png(i), "image/png")},
            )
            if resp is not None and resp.status_code == 302:
                with record.lock:
                    record.acked_avatars[email] = record.acked_avatars.get(email, 0) + 1
        elif roll < 0.93:
            me.request(
                "password reset email", "POST", "/auth/password/forgot/", data={"email": email}
            )
        elif not revoked_once:
            revoked_once = revoke_cycle(me, i, t0, record)
        stop.wait(rnd.uniform(0.05, 0.3))


INVITE_DOMAIN = "invitee.pacetrack.test"
INVITE_FORM = re.compile(
    r'<form method="post" action="([^"]+)"[^>]*data-testid="invite-form">(.*?)</form>', re.S
)
# What the members page says when it re-renders the form with a refusal.
INVITE_REFUSALS = {
    "already has a pending invitation": "already pending",
    "was invited a moment ago": "already pending",
    "plan allows up to": "plan member cap",
    "is already a member": "already a member",
}


def invite_member(
    me: Browser, i: int, org: str, rnd: random.Random, record: Record, invited: list[str]
) -> None:
    """Open the members page of the org this user owns and send its invite form, as a
    browser does. One try in five re-invites an address already acknowledged, which
    must be refused as already pending. A redirect back to the members page is the
    acknowledgement; a re-rendered form (plan cap, duplicate) or a 429 is a refusal."""
    page = me.request("members", "GET", f"/t/{org}/members/")
    if page is None or page.status_code != 200:
        return
    form = INVITE_FORM.search(page.text)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form[2]) if form else None
    roles = re.search(r'<select name="role"[^>]*>(.*?)</select>', form[2], re.S) if form else None
    role = re.search(r'<option value="(\d+)" selected>', roles[1]) if roles else None
    if not (form and token and role):
        with record.lock:
            record.invite_refusals["no invite form on the members page"] += 1
        return
    repeat = bool(invited) and rnd.random() < 0.2
    email = rnd.choice(invited) if repeat else f"soak{i}-{secrets.token_hex(4)}@{INVITE_DOMAIN}"
    resp = me.request(
        "member invite",
        "POST",
        form[1],
        data={"csrfmiddlewaretoken": token[1], "email": email, "role": role[1]},
    )
    if resp is None or resp.status_code >= 500:
        return  # counted with the other events (socket errors, 5xx outside the outages)
    acked = resp.status_code == 302 and resp.headers.get("Location", "").endswith(
        f"/t/{org}/members/"
    )
    if resp.status_code == 429:
        reason = "rate limit"
    elif resp.status_code == 200:
        reason = next((r for text, r in INVITE_REFUSALS.items() if text in resp.text), "")
        reason = reason or "200 without a known refusal"
    else:
        reason = f"HTTP {resp.status_code}"
    if repeat and acked:
        reason = "repeat address acknowledged again"  # a second pending invitation: a bug
    with record.lock:
        if acked and not repeat:
            record.acked_invites.append((org, email))
            invited.append(email)
        else:
            record.invite_refusals[reason] += 1


def revoke_cycle(me: Browser, i: int, t0: float, record: Record) -> bool:
    """Sign in on a second device, revoke it from the first, check it is signed out."""
    other = Browser(me.email, me.ip, t0, record, ua=f"soak-second-device-{i}")
    if not other.sign_in():
        return False
    page = me.request("devices", "GET", "/account/sessions/")
    if page is None or page.status_code != 200:
        return False
    ids = re.findall(r'action="/account/sessions/(\d+)/revoke/"', page.text)
    if not ids:
        return False
    ok = True
    for pk in ids:
        resp = me.request("session revoke", "POST", f"/account/sessions/{pk}/revoke/")
        ok = ok and resp is not None and resp.status_code in (200, 302)
    # The revoked device, on both instances, must be signed out now.
    after = [other.request("revoked device", "GET", "/account/", port=p) for p in APP_PORTS]
    answered = [r for r in after if r is not None]
    if len(answered) < len(after) or any(r.status_code == 503 for r in answered) or not ok:
        outcome = None  # cut short by an injected outage: nothing to conclude
    else:
        outcome = all(
            r.status_code == 302 and "/auth/sign-in/" in r.headers.get("Location", "")
            for r in answered
        )
    with record.lock:
        record.revocations.append((me.email, outcome))
    return True


# --- The run ------------------------------------------------------------------------


def readyz(port: int) -> tuple[int, dict[str, Any]]:
    try:
        resp = requests.get(f"http://127.0.0.1:{port}/readyz/", timeout=30)
        return resp.status_code, resp.json()
    except (requests.RequestException, ValueError) as exc:
        return 0, {"error": exc.__class__.__name__}


def wait_until(predicate: Any, timeout: float, interval: float = 0.5) -> float | None:
    """Seconds until predicate() held, or None."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(interval)
    return None


class Checks:
    def __init__(self) -> None:
        self.items: list[tuple[str, bool, str]] = []

    def add(self, name: str, ok: bool, detail: str) -> None:
        self.items.append((name, ok, detail))
        log(f"{'PASS' if ok else 'FAIL'} {name}: {detail}")


def django_shell(env: dict[str, str], code: str) -> Any:
    out = subprocess.run(
        [str(BIN / "python"), "-c", "import django, json; django.setup()\n" + code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def email_state(env: dict[str, str]) -> dict[str, int]:
    return django_shell(
        env,
        (
            "from django.db.models import Count\n"
            "from accounts.models import EmailDelivery\n"
            "print(json.dumps(dict(EmailDelivery.objects.values_list('status')"
            ".annotate(n=Count('id')).values_list('status', 'n'))))"
        ),
    )


def run_faults(
    t0: float,
    checks: Checks,
    procs: Processes,
    pg: Postgres,
    proxy: CuttableProxy,
    resend: FakeResend,
    env: dict[str, str],
    logdir: Path,
    state: dict,
) -> None:
    def at(t: float) -> None:
        time.sleep(max(0.0, t0 + t - time.monotonic()))

    # Redis down.
    windows = state["windows"]

    def now() -> float:
        return time.monotonic() - t0

    at(REDIS_DOWN[0])
    log("fault: Redis stopped")
    procs.stop(state["redis"])
    redis_stopped = now()
    at(REDIS_DOWN[0] + 3)
    ready = [readyz(p) for p in APP_PORTS]
    checks.add(
        "Redis down: /readyz/ names redis on both instances",
        all(s == 503 and "redis" in body.get("failing", []) for s, body in ready),
        "; ".join(f"{s} failing={b.get('failing')}" for s, b in ready),
    )
    at(REDIS_DOWN[1])
    log("fault: Redis started again")
    state["redis"] = start_redis(procs, logdir / "redis.log")
    windows["redis"] = (redis_stopped, now())
    took = wait_until(lambda: all(readyz(p)[0] == 200 for p in APP_PORTS), 30)
    checks.add(
        "Redis back: /readyz/ 200 on both without restarting the app",
        took is not None,
        f"ready {took:.1f}s after Redis came back" if took is not None else "not ready",
    )

    # PostgreSQL restart.
    at(PG_DOWN[0])
    log("fault: PostgreSQL stopped")
    pg_stopped = now()
    pg.stop()
    at(PG_DOWN[1])
    pg.start()
    log("fault: PostgreSQL started again")

    def db_page_ok() -> bool:
        return all(readyz(p)[0] == 200 for p in APP_PORTS)

    took = wait_until(db_page_ok, 30)
    windows["postgres"] = (pg_stopped, now())
    checks.add(
        "PostgreSQL back: both instances ready again by themselves",
        took is not None,
        f"{took:.1f}s after start" if took is not None else "still failing after 20s",
    )

    # S3 unreachable.
    at(S3_DOWN[0])
    log("fault: S3 unreachable")
    proxy.cut()
    s3_cut = now()
    probe = Browser(
        f"user{USERS}@{SEED_DOMAIN}", "10.9.9.9", t0, state["record"], ua="soak-s3-probe"
    )
    probe.sign_in()
    statuses = []
    for port in APP_PORTS:
        resp = probe.request(
            "file upload (S3 down)",
            "POST",
            f"/t/{state['probe_slug']}/files/upload/",
            port=port,
            files={"file": ("during-outage.png", png(7), "image/png")},
        )
        statuses.append(
            (resp.status_code if resp is not None else 0, resp.text if resp is not None else "")
        )
    clear = all(
        s in (400, 503)
        and "Traceback" not in body
        and ("be right back" in body or "try again" in body.lower())
        for s, body in statuses
    )
    checks.add(
        "S3 down: uploads answer a clear error page (no traceback, no 500)",
        clear,
        ", ".join(str(s) for s, _ in statuses),
    )
    state["s3_probe_statuses"] = [s for s, _ in statuses]
    at(S3_DOWN[1])
    proxy.restore()
    windows["s3"] = (s3_cut, now())
    log("fault: S3 reachable again")

    # Email provider: queued while failing, none lost.
    at(EMAIL_DOWN_UNTIL - 1)
    state["email_during"] = email_state(env)
    resend.failing = False
    log("fault: email provider healthy again")


def scale_out_checks(checks: Checks, t0: float, record: Record) -> None:
    a, b = APP_PORTS
    user = Browser(f"user{USERS + 1}@{SEED_DOMAIN}", "10.7.0.1", t0, record, ua="scale-a")
    user.request("sign-in page", "GET", "/auth/sign-in/", port=a)
    resp = user.request(
        "sign-in",
        "POST",
        "/auth/sign-in/",
        port=a,
        data={"email": user.email, "password": SEED_PASSWORD},
    )
    on_b = user.request("account", "GET", "/account/", port=b)
    checks.add(
        "Scale-out: a session created on instance A is valid on instance B",
        resp is not None
        and resp.status_code == 302
        and on_b is not None
        and on_b.status_code == 200,
        f"sign-in on A {getattr(resp, 'status_code', None)},"
        f" /account/ on B {getattr(on_b, 'status_code', None)}",
    )

    other = Browser(user.email, "10.7.0.1", t0, record, ua="scale-second")
    other.request("sign-in page", "GET", "/auth/sign-in/", port=b)
    other.request(
        "sign-in",
        "POST",
        "/auth/sign-in/",
        port=b,
        data={"email": user.email, "password": SEED_PASSWORD},
    )
    page = user.request("devices", "GET", "/account/sessions/", port=b)
    ids = re.findall(r'action="/account/sessions/(\d+)/revoke/"', page.text if page else "")
    for pk in ids:
        user.request("session revoke", "POST", f"/account/sessions/{pk}/revoke/", port=b)
    after = other.request("revoked device", "GET", "/account/", port=a)
    checks.add(
        "Scale-out: a revocation made on B takes effect on A at once",
        bool(ids) and after is not None and after.status_code == 302,
        f"revoked {len(ids)} session(s) on B; revoked device on A got "
        f"{getattr(after, 'status_code', None)}",
    )

    # One budget across both instances: wrong passwords from one address, alternating.
    attacker = Browser(f"user{USERS + 2}@{SEED_DOMAIN}", "10.66.0.1", t0, record, ua="scale-rl")
    attacker.request("sign-in page", "GET", "/auth/sign-in/", port=a)
    statuses = []
    for n in range(12):
        resp = attacker.request(
            "sign-in (wrong password)",
            "POST",
            "/auth/sign-in/",
            port=APP_PORTS[n % 2],
            data={"email": attacker.email, "password": "wrong-password"},
        )
        statuses.append(resp.status_code if resp is not None else 0)
    first_429 = statuses.index(429) + 1 if 429 in statuses else None
    checks.add(
        "Scale-out: one rate-limit budget across both instances (auth tier 5/15m per IP)",
        first_429 == 6 and all(s == 429 for s in statuses[5:]),
        f"statuses in order A,B,A,…: {statuses}",
    )


def summarize(record: Record) -> tuple[str, dict[str, Any]]:
    per_op: dict[str, Counter] = defaultdict(Counter)
    durations: dict[str, list[float]] = defaultdict(list)
    for e in record.events:
        durations[e.op].append(e.seconds * 1000)
        bucket = (
            "error"
            if e.status == 0
            else "429"
            if e.status == 429
            else f"{e.status // 100}xx"
            if e.status != 503
            else "503"
        )
        per_op[e.op][bucket] += 1
    cols = ["2xx", "3xx", "4xx", "429", "503", "5xx", "error"]
    lines = [
        "| operation | requests | " + " | ".join(cols) + " | p50 ms | p99 ms |",
        "|---|---:|" + "---:|" * (len(cols) + 2),
    ]
    for op in sorted(per_op, key=lambda o: -sum(per_op[o].values())):
        c = per_op[op]
        ds = sorted(durations[op])
        p50, p99 = ds[len(ds) // 2], ds[min(len(ds) - 1, int(len(ds) * 0.99))]
        lines.append(
            f"| {op} | {sum(c.values())} | "
            + " | ".join(str(c.get(k, 0)) for k in cols)
            + f" | {p50:,.0f} | {p99:,.0f} |"
        )
    return "\n".join(lines), per_op


def main() -> int:
    started = time.monotonic()
    RESULTS.mkdir(parents=True, exist_ok=True)
    logdir = ROOT / "var" / "soak"
    logdir.mkdir(parents=True, exist_ok=True)
    for f in logdir.glob("*.log"):
        f.unlink()
    for port in (*APP_PORTS, MOTO_PORT, S3_PROXY_PORT, PG_PORT, REDIS_PORT, RESEND_PORT):
        require_port(port, "soak")
    procs = Processes()
    checks = Checks()
    record = Record()
    notes: list[str] = []
    with temp_dir("pt-soak-") as tmp:
        pg = Postgres(tmp / "pgdata", PG_PORT)
        resend = FakeResend(RESEND_PORT)
        proxy: CuttableProxy | None = None
        worker = None
        try:
            pg.start()
            subprocess.run(
                ["createdb", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "pacetrack"],
                check=True,
            )
            state: dict[str, Any] = {"record": record, "windows": {}}
            state["redis"] = start_redis(procs, logdir / "redis.log")
            start_moto(procs, port=MOTO_PORT, logfile=logdir / "moto.log")
            s3_create_bucket(MOTO_PORT, BUCKET)
            proxy = CuttableProxy(S3_PROXY_PORT, MOTO_PORT)
            env = production_env(
                DATABASE_URL=f"postgres://postgres@127.0.0.1:{PG_PORT}/pacetrack",
                REDIS_URL=f"redis://127.0.0.1:{REDIS_PORT}/0",
                TRUSTED_PROXIES="1",
                STATIC_ROOT=str(tmp / "static"),
                TASKS_BACKEND="database",
                RESEND_API_KEY="re_soak_fake_key",
                RESEND_API_URL=f"http://127.0.0.1:{RESEND_PORT}",
                EMAIL_BACKEND="accounts.backends.resend.ResendEmailBackend",
                EMAIL_DELIVERY_RETRY_BASE_SECONDS="1",
                EMAIL_DELIVERY_RETRY_MAX_SECONDS="4",
                EMAIL_DELIVERY_MAX_ATTEMPTS="1000",
                SITE_URL=f"http://127.0.0.1:{APP_PORTS[0]}",
                **s3_env(S3_PROXY_PORT, BUCKET),
            )
            log("migrating the soak database (own PostgreSQL cluster)")
            manage(env, "migrate", "--noinput")
            manage(env, "collectstatic", "--noinput")
            subprocess.run(
                [
                    str(BIN / "python"),
                    "-m",
                    "bench.seed",
                    "--users",
                    str(USERS + 3),
                    "--orgs",
                    "0",
                    "--memberships",
                    str(USERS + 3),
                    "--sessions",
                    "0",
                ],
                cwd=ROOT,
                env=env,
                check=True,
            )
            slugs = django_shell(
                env,
                (
                    "from tenants.models import Tenant\n"
                    f"print(json.dumps({{t.personal_owner.email: t.slug for t in "
                    f"Tenant.objects.filter(personal_owner__email__endswith='@{SEED_DOMAIN}')"
                    f".select_related('personal_owner')}}))"
                ),
            )
            state["probe_slug"] = slugs[f"user{USERS}@{SEED_DOMAIN}"]
            # Personal workspaces cannot invite: every simulated user owns an org (on the
            # Free plan, so its member cap is part of the run), made as sign-up would.
            orgs = django_shell(
                env,
                (
                    "from accounts.models import User\n"
                    "from tenants.services.tenants import tenant_create_org\n"
                    f"emails = [f'user{{i}}@{SEED_DOMAIN}' for i in range({USERS})]\n"
                    "print(json.dumps({u.email: tenant_create_org(owner=u, name='Soak org ' "
                    "+ u.email.split('@')[0]).slug "
                    "for u in User.objects.filter(email__in=emails)}))"
                ),
            )
            for n, port in enumerate(APP_PORTS):
                start_gunicorn(procs, port=port, env=env, logfile=logdir / f"app{n + 1}.log")
            worker_argv = [str(BIN / "python"), "manage.py", "db_worker", "--interval", "0.5"]
            worker = procs.start("worker", worker_argv, env=env, logfile=logdir / "worker.log")
            restarts: list[float] = []

            def supervise() -> None:
                # What systemd or Kubernetes does for the worker in production.
                nonlocal worker
                restarting = False
                while not done.is_set():
                    assert worker is not None  # started above, before this thread
                    if worker.poll() is not None:
                        if not restarting:
                            restarts.append(round(time.monotonic() - t0, 1))
                            restarting = True
                        # What ExecStartPre does in production: the tasks that died with
                        # the old worker are queued again before the new one starts.
                        resumed = subprocess.run(
                            [str(BIN / "python"), "manage.py", "resume_email_deliveries", "--all"],
                            env=env,
                            cwd=ROOT,
                            capture_output=True,
                            check=False,
                        )
                        if resumed.returncode == 0:
                            restarting = False
                            worker = procs.start(
                                "worker", worker_argv, env=env, logfile=logdir / "worker.log"
                            )
                    done.wait(1)

            done = threading.Event()
            log(f"load: {USERS} users for {DURATION}s across :{APP_PORTS[0]} and :{APP_PORTS[1]}")
            stop = threading.Event()
            t0 = time.monotonic()
            threads = [
                threading.Thread(
                    target=user_loop,
                    args=(
                        i,
                        slugs[f"user{i}@{SEED_DOMAIN}"],
                        orgs[f"user{i}@{SEED_DOMAIN}"],
                        t0,
                        stop,
                        record,
                    ),
                    daemon=True,
                )
                for i in range(USERS)
            ]
            for th in threads:
                th.start()
            faults = threading.Thread(
                target=run_faults,
                args=(t0, checks, procs, pg, proxy, resend, env, logdir, state),
                daemon=True,
            )
            faults.start()
            threading.Thread(target=supervise, daemon=True).start()
            time.sleep(max(0.0, t0 + DURATION - time.monotonic()))
            stop.set()
            for th in threads:
                th.join(40)
            faults.join(60)
            log("load stopped; checking outcomes")
            evaluate_events(checks, record, state)
            check_writes(checks, env, record)
            check_invites(checks, env, record, orgs=sorted(orgs.values()))
            took = wait_until(lambda: set(email_state(env)) <= {"sent"}, 60, 1.0)
            final = email_state(env)
            during = state.get("email_during", {})
            checks.add(
                "Email outage: messages stayed queued (none failed, none sent) while the "
                "provider answered 500",
                bool(during) and not during.get("failed") and not during.get("sent"),
                f"during the outage: {during}; provider refused {resend.refused} attempts",
            )
            checks.add(
                "Email outage: every queued message delivered once the provider recovered",
                took is not None and final.get("sent", 0) == len(resend.received) > 0,
                f"after: {final}; provider received {len(resend.received)}"
                + (f" within {took:.0f}s" if took is not None else " (timed out)"),
            )
            invited = {email for _, email in record.acked_invites}
            mailed = {to for msg in resend.received for to in msg.get("to", []) if to in invited}
            checks.add(
                "Every acknowledged invitation's email reached the provider",
                bool(invited) and mailed == invited,
                f"{len(invited)} acknowledged, {len(invited - mailed)} never emailed",
            )
            scale_out_checks(checks, t0, record)
            done.set()
            if restarts:
                notes.append(
                    f"The email worker exited at t={restarts} s (PostgreSQL restart) and was "
                    "restarted by the soak's supervisor loop, as systemd/Kubernetes would, after "
                    "`manage.py resume_email_deliveries --all` queued again the emails whose "
                    "task died with it: django-tasks' db_worker does not survive losing its "
                    "database connection."
                )
        finally:
            stop_all = procs.stop_all
            if proxy:
                proxy.cut()
            stop_all()
            resend.close()
            try:
                pg.stop()
            except subprocess.CalledProcessError:
                notes.append("PostgreSQL did not stop cleanly")
    table, _ = summarize(record)
    write_report(checks, table, notes, time.monotonic() - started)
    return 0 if all(ok for _, ok, _ in checks.items) else 1


def overlaps(e: Event, window: tuple[float, float] | None) -> bool:
    """The request was in flight at some moment of the window."""
    return window is not None and e.t <= window[1] and e.t + e.seconds >= window[0]


def evaluate_events(checks: Checks, record: Record, state: dict[str, Any]) -> None:
    events = record.events
    windows = state["windows"]
    pg, s3, rd = windows.get("postgres"), windows.get("s3"), windows.get("redis")
    outside = [
        e
        for e in events
        if e.status >= 500 and not overlaps(e, pg) and not ("upload" in e.op and overlaps(e, s3))
    ]
    first = [(round(e.t, 1), e.op, e.status, e.note) for e in outside[:3]]
    checks.add(
        "Zero 5xx outside the PostgreSQL and S3 outage windows (measured: "
        + ", ".join(f"{k} {a:.1f}–{b:.1f} s" for k, (a, b) in windows.items())
        + ")",
        not outside,
        f"{len(outside)} 5xx; first: {first}",
    )
    redis_window = [e for e in events if overlaps(e, rd)]
    pages = ("dashboard", "account", "devices", "files", "members")
    served = [e for e in redis_window if e.op in pages]
    checks.add(
        "Redis down: pages keep serving (no 5xx, pages answered 200)",
        bool(served) and all(e.status == 200 for e in served),
        f"{len(served)} page views during the outage: {dict(Counter(e.status for e in served))}",
    )
    pg_window = [e for e in events if overlaps(e, pg)]
    pg_5xx = [e for e in pg_window if e.status >= 500]
    checks.add(
        "PostgreSQL restart: failures are clean 503 pages (no 500, no traceback)",
        all(e.status == 503 and e.clean for e in pg_5xx),
        f"{len(pg_5xx)} failed requests in the window: "
        f"{dict(Counter(e.status for e in pg_5xx))}; unclean: "
        f"{sum(not e.clean for e in pg_5xx)}",
    )
    socket_errors = [e for e in events if e.status == 0]
    checks.add(
        "No connection errors or timeouts from the app servers",
        not socket_errors,
        f"{len(socket_errors)}: {[(round(e.t, 1), e.op, e.note) for e in socket_errors[:3]]}",
    )
    revs = [ok for _, ok in record.revocations if ok is not None]
    cut = sum(ok is None for _, ok in record.revocations)
    checks.add(
        "Session revoke under load: the revoked device is signed out on both instances",
        bool(revs) and all(revs),
        f"{sum(revs)}/{len(revs)} revocations effective ({cut} more cut short by an outage "
        "and not counted)",
    )


def check_writes(checks: Checks, env: dict[str, str], record: Record) -> None:
    acked = record.acked_files
    result = django_shell(
        env,
        (
            "from uploads.models import Upload\n"
            "from uploads.storage import upload_storage\n"
            "rows = list(Upload.objects.values_list('tenant__slug', 'original_filename', 'key'))\n"
            "storage = upload_storage()\n"
            "missing = [k for _, _, k in rows if not storage.exists(k)]\n"
            "print(json.dumps({'rows': [[s, n] for s, n, _ in rows], 'missing': missing}))"
        ),
    )
    present = {tuple(r) for r in result["rows"]}
    lost = [a for a in acked if tuple(a) not in present]
    checks.add(
        "No lost writes: every acknowledged file upload exists afterwards (row + object)",
        bool(acked) and not lost,
        f"{len(acked)} acknowledged, {len(lost)} missing",
    )
    checks.add(
        "Nothing half-written: every upload row has its object in S3",
        not result["missing"],
        f"{len(result['rows'])} rows, {len(result['missing'])} without an object",
    )
    avatars = django_shell(
        env,
        (
            "from accounts.models import User\n"
            "from uploads.models import Upload\n"
            f"emails = {sorted(record.acked_avatars)!r}\n"
            "bad = [u.email for u in User.objects.filter(email__in=emails) if not "
            "Upload.objects.filter(key=u.avatar, kind='avatar').exists()]\n"
            "print(json.dumps(bad))"
        ),
    )
    checks.add(
        "No lost writes: every user with an acknowledged avatar upload has it",
        bool(record.acked_avatars) and not avatars,
        f"{len(record.acked_avatars)} users uploaded; {len(avatars)} without an avatar row",
    )


def check_invites(checks: Checks, env: dict[str, str], record: Record, orgs: list[str]) -> None:
    """Acknowledged invitations are pending rows; refusals were legitimate ones; no org
    went past its plan's member cap (members + pending invitations)."""
    acked = record.acked_invites
    result = django_shell(
        env,
        (
            "from billing.plans import plan_limit\n"
            "from tenants.models import Invitation, Membership, Tenant\n"
            f"orgs = list(Tenant.objects.filter(slug__in={orgs!r}))\n"
            "rows = Invitation.objects.pending().filter(tenant__in=orgs)\n"
            "over = [[t.slug, Membership.objects.filter(tenant=t).count() + "
            "Invitation.objects.filter(tenant=t).pending().count(), "
            "plan_limit(tenant=t, limit='max_members')] for t in orgs]\n"
            "print(json.dumps({'rows': [list(r) for r in rows.values_list('tenant__slug', "
            "'email')], 'seats': over}))"
        ),
    )
    present = {tuple(r) for r in result["rows"]}
    lost = [a for a in acked if tuple(a) not in present]
    checks.add(
        "No lost writes: every acknowledged member invite exists afterwards (pending "
        "invitation row)",
        bool(acked) and not lost,
        f"{len(acked)} acknowledged, {len(lost)} missing; {len(present)} pending rows",
    )
    legit = {"already pending", "plan member cap", "rate limit"}
    refusals = dict(record.invite_refusals)
    checks.add(
        "Member invite refusals are all legitimate (already pending, plan member cap, rate limit)",
        set(refusals) <= legit,
        f"refused: {refusals or 'none'}",
    )
    over = [s for s in result["seats"] if s[2] is not None and s[1] > s[2]]
    used = max((s[1] for s in result["seats"]), default=0)
    checks.add(
        "Plan member cap held under load (members + pending invitations per org)",
        bool(result["seats"]) and not over,
        f"{len(result['seats'])} orgs, most seats taken {used} (cap "
        f"{result['seats'][0][2] if result['seats'] else '?'}); over the cap: {over}",
    )


def write_report(checks: Checks, table: str, notes: list[str], seconds: float) -> None:
    passed = sum(ok for _, ok, _ in checks.items)
    text = "\n".join(
        [
            "# Soak and fault results (`make soak`)",
            "",
            f"Run {time.strftime('%Y-%m-%d %H:%M %Z')}: {USERS} simulated users for {DURATION} s, "
            f"requests alternating between two gunicorn instances (:{APP_PORTS[0]}, "
            f":{APP_PORTS[1]}, 2 sync workers each) sharing one PostgreSQL (own throwaway "
            "cluster), one Redis (own redis-server), S3 (moto behind a cuttable proxy) and a fake "
            "Resend API; the database email worker delivers mail. "
            f"Whole run: {seconds:.0f} s.",
            "",
            f"Planned timeline (each fault starts no earlier than the previous one ended; the "
            f"measured windows are in the first check): email provider answers 500 until "
            f"{EMAIL_DOWN_UNTIL:.0f} s; Redis stopped "
            f"{REDIS_DOWN[0]:.0f}–{REDIS_DOWN[1]:.0f} s; PostgreSQL stopped "
            f"{PG_DOWN[0]:.0f}–{PG_DOWN[1]:.0f} s, then started; S3 unreachable "
            f"{S3_DOWN[0]:.0f}–{S3_DOWN[1]:.0f} s.",
            "",
            f"## Checks: {passed}/{len(checks.items)} passed",
            "",
            *[
                f"- {'✅' if ok else '❌'} **{name}** — {detail}"
                for name, ok, detail in checks.items
            ],
            "",
            "## Requests",
            "",
            table,
            "",
            "Member invites: each simulated user owns an org on the Free plan (5 members, "
            "pending invitations included) and sends its members page's invite form; one try "
            "in five re-invites an address already acknowledged. A redirect back to the "
            "members page is an acknowledged invite; a re-rendered form or a 429 is a refusal "
            "(not an error), listed by reason in the checks.",
            *[f"- {n}" for n in notes],
            "",
        ]
    )
    (RESULTS / "soak-latest.md").write_text(text)
    print()
    print(text)


if __name__ == "__main__":
    sys.exit(main())
