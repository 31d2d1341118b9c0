"""`make bench`: Pacetrack under gunicorn against PostgreSQL and Redis, measured with wrk.

Steps: migrate the bench database, collect static files into a temp dir, seed the
volume (re-used when present), make fresh signed-in identities, start two gunicorn
instances with production settings (rate limiter on / off), run wrk against each
page, count SQL/Redis/storage per request in-process, time the hot-path lookups
(bench/lookup_cost.py), print the table and write it to bench/results/latest.md.
Then, unless BENCH_PROXIED=0, the same limiter-on app once more behind a minimal
scale-out path: HAProxy in front of a fourth gunicorn that reaches PostgreSQL through
PgBouncer in transaction mode (`DATABASE_POOLER=pgbouncer`), both configured by the
cluster package's own helpers (cluster/topology.py), measured on the same pages.

Environment knobs: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/
pt_bench), BENCH_REDIS_URL (default redis://127.0.0.1:6379/9), BENCH_SECONDS (10),
BENCH_CONNECTIONS (32), BENCH_PROXIED (1).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench.lib import (
    RESULTS,
    ROOT,
    Processes,
    WrkResult,
    log,
    manage,
    processes_cpu_seconds,
    production_env,
    python_module,
    s3_create_bucket,
    s3_env,
    start_gunicorn,
    start_moto,
    temp_dir,
    workers_cpu_seconds,
    write_requests,
    wrk,
)
from bench.seed import SEED_PASSWORD
from cluster.topology import pgbouncer_config, start_haproxy, start_pgbouncer

PORT_LIMITED = 8201
PORT_UNLIMITED = 8202
PORT_MOTO = 8203
PORT_STOCK = 8204
PORT_PROXIED_APP = 8205  # the gunicorn behind HAProxy, on PgBouncer
PORT_HAPROXY = 8206
PORT_PGBOUNCER = 8207
PORT_PAIRED = 8208  # the limiter-on app again, header memo off: the paired rounds
PROXIED_KEYS = ("bare", "healthz", "dashboard")
BUCKET = "pacetrack-bench"


@dataclass
class Scenario:
    key: str
    label: str
    port: int
    lines: list[tuple[str, str, dict[str, str], str]]
    expect: int
    marker: str = ""


def xff(i: int) -> str:
    """A distinct client address per identity (TRUSTED_PROXIES=1 honours it)."""
    return f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255 or 1}"


def check(scenario: Scenario) -> str:
    """One request with Python before wrk: the page must answer what we think it does,
    or the req/s would measure a redirect or an error page."""
    method, path, headers, body = scenario.lines[0]
    req = urllib.request.Request(  # noqa: S310 - loopback
        f"http://127.0.0.1:{scenario.port}{path}",
        data=body.encode() if body else None,
        headers=headers,
        method=method,
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(req, timeout=10) as resp:
            status, text = resp.status, resp.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        status, text = exc.code, exc.read().decode(errors="replace")
    if status != scenario.expect:
        return f"expected {scenario.expect}, got {status}"
    if scenario.marker and scenario.marker not in text:
        return f"page does not contain {scenario.marker!r}"
    return ""


def csrf_pair(port: int) -> tuple[str, str]:
    """A real CSRF cookie and form token, fetched from the sign-in page."""
    import re

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/auth/sign-in/") as resp:  # noqa: S310
        html = resp.read().decode()
        cookies = resp.headers.get_all("Set-Cookie") or []
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    cookie = next(
        (c.split(";")[0].split("=", 1)[1] for c in cookies if c.startswith("csrftoken=")), None
    )
    if not token or not cookie:
        raise SystemExit("could not get a CSRF token and cookie from /auth/sign-in/")
    return cookie, token.group(1)


def signed_in(
    prepared: dict, path: str, *, only: str = "", stock: bool = False
) -> list[tuple[str, str, dict[str, str], str]]:
    """One request per identity (its own cookie and client address) for a page whose
    path is made from the identity: `{slug}` personal workspace, `{org_slug}` an org."""
    name = "stock-sessionid" if stock else prepared["cookie_name"]
    lines = []
    for i, x in enumerate(prepared["identities"]):
        if only == "devices" and x["devices"] < 2:
            continue
        cookie = x["stock_cookie"] if stock else x["cookie"]
        lines.append(
            ("GET", path.format(**x), {"Cookie": f"{name}={cookie}", "X-Forwarded-For": xff(i)}, "")
        )
    return lines


def scenarios(prepared: dict, port: int, *, with_signin: bool) -> list[Scenario]:
    """The pages measured on one Pacetrack instance. The full set runs on the limiter-on
    instance; the limiter-off instance repeats the signed-in pages only."""
    ids = prepared["identities"]
    anyone = [("GET", "/bench/hello/", {"X-Forwarded-For": xff(i)}, "") for i in range(2000)]
    out = [Scenario("bare", "(1) bare Django view", port, anyone, 200, "hello")]
    if with_signin:
        out.append(healthz_scenario(port))
        stock_anyone = [(m, "/hello/", h, b) for m, _p, h, b in anyone]
        out.append(Scenario("stock_bare", "(1s) bare view, stock", PORT_STOCK, stock_anyone, 200))
        if ids and ids[0]["stock_cookie"]:
            out.append(
                Scenario(
                    "stock_min",
                    "(2) minimal stock signed-in page",
                    PORT_STOCK,
                    signed_in(prepared, "/signed-in/", stock=True),
                    200,
                    "Signed in as",
                )
            )
    if ids and ids[0]["stock_cookie"]:
        out.append(
            Scenario(
                "stock",
                "(2d) same dashboard, stock sessions",
                port,
                signed_in(prepared, "/bench/stock/t/{org_slug}/", stock=True),
                200,
                "Bench User",
            )
        )
    out.append(
        Scenario(
            "dashboard",
            "(3) org dashboard",
            port,
            signed_in(prepared, "/t/{org_slug}/"),
            200,
            "Bench User",
        )
    )
    if ids and ids[0].get("api_key"):
        out.append(
            Scenario(
                "api_members",
                "(8) API member list",
                port,
                [
                    (
                        "GET",
                        "/api/v1/members",
                        {"Authorization": f"Bearer {x['api_key']}", "X-Forwarded-For": xff(i)},
                        "",
                    )
                    for i, x in enumerate(ids)
                ],
                200,
                '"next_cursor"',
            )
        )
    out.append(
        Scenario(
            "personal",
            "(3p) personal dashboard",
            port,
            signed_in(prepared, "/t/{slug}/"),
            200,
            "Bench User",
        )
    )
    out.append(
        Scenario(
            "devices",
            "(7) devices page, 20 sessions",
            port,
            signed_in(prepared, "/account/sessions/", only="devices"),
            200,
            "Bench User",
        )
    )
    avatar = prepared.get("avatar") or {}
    if with_signin and avatar.get("status") == "ok":
        out.append(
            Scenario(
                "serve",
                "(4a) /serve/ avatar",
                port,
                [("GET", avatar["path"], {"X-Forwarded-For": xff(i)}, "") for i in range(2000)],
                200,
            )
        )
        out.append(
            Scenario(
                "serve_inm",
                "(4b) /serve/ avatar, matching If-None-Match",
                port,
                [
                    (
                        "GET",
                        avatar["path"],
                        {"If-None-Match": avatar["etag"], "X-Forwarded-For": xff(i)},
                        "",
                    )
                    for i in range(2000)
                ],
                304,
            )
        )
    if with_signin:
        cookie, token = csrf_pair(port)
        lines = []
        for i in range(5000):
            body = urllib.parse.urlencode(
                {
                    "email": f"user{(i * 37) % 10000}@bench.pacetrack.test",
                    "password": SEED_PASSWORD,
                    "csrfmiddlewaretoken": token,
                }
            )
            lines.append(
                (
                    "POST",
                    "/auth/sign-in/",
                    {
                        "Cookie": f"csrftoken={cookie}",
                        "Content-Type": "application/x-www-form-urlencoded",
                        "X-Forwarded-For": xff(100_000 + i),
                    },
                    body,
                )
            )
        out.append(Scenario("signin", "(5) sign-in POST (Argon2)", port, lines, 302))
    return out


def healthz_scenario(port: int) -> Scenario:
    lines = [("GET", "/healthz/", {"X-Forwarded-For": xff(i)}, "") for i in range(2000)]
    return Scenario("healthz", "(6) /healthz/", port, lines, 200)


def proxied_skip_reason(database_url: str) -> str:
    """Why the HAProxy + PgBouncer rows cannot run here ("" when they can)."""
    if os.environ.get("BENCH_PROXIED", "1") == "0":
        return "BENCH_PROXIED=0"
    missing = [b for b in ("haproxy", "pgbouncer") if not shutil.which(b)]
    if missing:
        return f"{' and '.join(missing)} not installed (apt-get install haproxy pgbouncer)"
    url = urllib.parse.urlsplit(database_url)
    if url.hostname != "127.0.0.1" or url.username != "postgres" or url.password:
        # cluster/topology.py's PgBouncer config: trust auth, user postgres, loopback.
        return "PgBouncer here needs BENCH_DATABASE_URL postgres://postgres@127.0.0.1:<port>/<db>"
    return ""


def start_proxied(
    procs: Processes, base: dict[str, str], directory: Path, logdir: Path
) -> subprocess.Popen:
    """PgBouncer in front of the bench database, a gunicorn on it, HAProxy in front:
    the configs are cluster/topology.py's, pointed at this run's ports and database."""
    url = urllib.parse.urlsplit(base["DATABASE_URL"])
    db_name = url.path.lstrip("/")
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres")  # PgBouncer runs as postgres and logs here
    pgbouncer_config(directory, port=PORT_PGBOUNCER, db_name=db_name, server_port=url.port or 5432)
    start_pgbouncer(
        procs, directory, port=PORT_PGBOUNCER, db_name=db_name, logfile=logdir / "pgbouncer.out"
    )
    master = start_gunicorn(
        procs,
        port=PORT_PROXIED_APP,
        env={
            **base,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PORT_PGBOUNCER}/{db_name}",
            "DATABASE_POOLER": "pgbouncer",
            # As in the cluster: HAProxy overwrites X-Real-IP with the socket address.
            "TRUSTED_PROXIES": "127.0.0.1/32",
            "CLIENT_IP_HEADER": "X-Real-IP",
        },
        logfile=logdir / "gunicorn-proxied.log",
    )
    start_haproxy(
        procs,
        directory,
        port=PORT_HAPROXY,
        app_ports=(PORT_PROXIED_APP,),
        # One instance of 2 sync workers: without a queue in HAProxy, wrk's 32 connections
        # wait in gunicorn's backlog, the /readyz/ check times out, and HAProxy answers
        # 503 for the only server (seen in the first run).
        server_maxconn=2,
        logfile=logdir / "haproxy.log",
    )
    return master


def timed_run(
    sc: Scenario,
    *,
    master: subprocess.Popen,
    requests_file: Path,
    warmup: int,
    seconds: int,
    connections: int,
) -> tuple[WrkResult, Sample]:
    """A warm-up, then the measured wrk run with the app's and PostgreSQL's CPU over it."""
    wrk(sc.key, port=sc.port, requests_file=requests_file, seconds=warmup, connections=connections)
    app_before = workers_cpu_seconds(master.pid)
    db_before = processes_cpu_seconds("postgres")
    r = wrk(
        sc.key, port=sc.port, requests_file=requests_file, seconds=seconds, connections=connections
    )
    served = max(r.requests, 1)
    app = 1000 * (workers_cpu_seconds(master.pid) - app_before) / served
    db = 1000 * (processes_cpu_seconds("postgres") - db_before) / served
    return r, Sample(rps=r.rps, cpu=app, db=db)


def measure_pairs(
    by_key: dict[str, Scenario],
    masters: dict[int, subprocess.Popen],
    *,
    rounds: int,
    seconds: int,
    connections: int,
    problems: dict[str, str],
) -> dict[str, Paired]:
    """PAIRS in alternating rounds (page, reference; reference, page; ...), each run
    after a 1 s warm-up of its own, with the app CPU per request of each."""
    out: dict[str, Paired] = {}
    for page, ref in PAIRS:
        if page not in by_key or ref not in by_key:
            continue
        problem = check(by_key[page]) or check(by_key[ref])
        if problem:
            problems[f"paired:{page}"] = problem
            log(f"SKIP the paired rounds of {page}: {problem}")
            continue
        files = {key: write_requests(by_key[key].lines) for key in (page, ref)}
        result = Paired(page=[], ref=[])
        try:
            for r in range(rounds):
                for key in (page, ref) if r % 2 == 0 else (ref, page):
                    w, sample = timed_run(
                        by_key[key],
                        master=masters[by_key[key].port],
                        requests_file=files[key],
                        warmup=1,
                        seconds=seconds,
                        connections=connections,
                    )
                    if w.non2xx3xx + w.socket_errors:
                        problems[f"paired:{page}"] = (
                            f"{key}: {w.non2xx3xx + w.socket_errors} errors in round {r + 1}"
                        )
                    (result.page if key == page else result.ref).append(sample)
        finally:
            for path in files.values():
                path.unlink()
        out[page] = result
        log(
            f"paired {page} / {ref}: "
            + ", ".join(f"{x:.3f}" for x in result.ratios)
            + f" (median {result.ratio:.3f})"
        )
    return out


def paired_table(paired: dict[str, Paired]) -> list[str]:
    rows = []
    for page, ref in PAIRS:
        p = paired.get(page)
        if p is None:
            continue
        ratio = p.ratio
        rows.append(
            f"| {LABELS[page]} | {LABELS[ref].split(' ', 1)[0]} "
            f"| {' / '.join(f'{x:.2f}' for x in p.ratios)} | **{ratio:.2f}** "
            f"| {FLOORS[page]} {'✅' if ratio >= FLOORS[page] else '❌'} "
            f"| {fmt(_median(p.page, 'rps'), 0)} / {fmt(_median(p.ref, 'rps'), 0)} "
            f"| {_median(p.page, 'cpu'):.2f} / {_median(p.ref, 'cpu'):.2f} "
            f"| {_median(p.page, 'db'):.2f} / {_median(p.ref, 'db'):.2f} |"
        )
    return [
        "| page | against | × reference, each round | median | target | req/s page / "
        "reference (medians) | app CPU ms page / reference (medians) "
        "| PostgreSQL CPU ms page / reference (medians) |",
        "|---|---|---:|---:|---|---:|---:|---:|",
        *rows,
    ]


def fmt(v: float, digits: int = 1) -> str:
    return f"{v:,.{digits}f}"


LABELS = {
    "bare": "(1) bare Django view, Pacetrack's middleware (ceiling)",
    "stock_bare": "(1s) bare Django view, stock middleware",
    "healthz": "(6) Pacetrack `/healthz/`, whole middleware, no I/O",
    "stock_min": "(2) minimal stock signed-in page (reference)",
    "stock": "(2d) Pacetrack's org dashboard view, stock sessions",
    "dashboard": "(3) Pacetrack org dashboard `/t/<org>/`",
    "personal": "(3p) Pacetrack personal dashboard `/t/<personal>/`",
    "devices": "(7) Pacetrack devices page `/account/sessions/`, 20 sessions",
    "api_members": "(8) Pacetrack API `GET /api/v1/members` (API key)",
    "serve": "(4a) `/serve/` avatar",
    "serve_inm": "(4b) `/serve/` avatar, matching `If-None-Match`",
    "signin": "(5) sign-in POST (Argon2, separate)",
}
COUNTED = ("dashboard", "personal", "devices", "api_members", "healthz", "serve", "serve_inm")

# Each judged page and the reference its target is a ratio to: measured again in
# alternating rounds (page, reference, reference, page, ...), so the machine's drift
# between two rows a minute apart does not land in the ratio.
PAIRS = (
    ("healthz", "stock_bare"),
    ("dashboard", "stock_min"),
    ("personal", "stock_min"),
    ("devices", "stock_min"),
    ("api_members", "stock_min"),
)
FLOORS = {"healthz": 0.85, "dashboard": 0.75, "personal": 0.75, "devices": 0.5, "api_members": 0.75}


@dataclass(frozen=True)
class Sample:
    """One timed wrk run: req/s, the app's CPU ms per request and PostgreSQL's (server
    and backends, on the same cores)."""

    rps: float
    cpu: float
    db: float


@dataclass
class Paired:
    """One page's alternating rounds against its reference."""

    page: list[Sample]
    ref: list[Sample]

    @property
    def ratios(self) -> list[float]:
        return [p.rps / r.rps for p, r in zip(self.page, self.ref, strict=True) if r.rps]

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)


def _median(samples: list[Sample], field: str) -> float:
    return statistics.median(getattr(s, field) for s in samples)


# Issue 22's own table, measured side by side when it was filed (before any of its work):
# the ratio it is judged by (to the minimal stock signed-in page (2); /healthz/ to the bare
# view under stock middleware (1s)), app CPU ms per request, SQL / Redis per request.
AT_FILING = {
    "stock_min": ("1.00", "2.3", "2 / 0"),
    "healthz": ("0.74", "0.74", "0 / 0"),
    "dashboard": ("0.26", "10.4", "5 / 1"),
    "personal": ("0.23", "10.4", "5 / 1"),
    "devices": ("0.15", "18.8–20.6", "3 / 1"),
    "api_members": ("–", "–", "–"),
}


def before_after(
    results: dict[str, dict[str, WrkResult]],
    counts: dict,
    cpu: dict[str, float],
    paired: dict[str, Paired],
) -> list[str]:
    """Issue 22's rows: when it was filed, and in this run (rate limiter on)."""
    res = results.get("limited", {})
    rows = []
    for key, (ratio_then, cpu_then, io_then) in AT_FILING.items():
        against = res.get("stock_bare" if key == "healthz" else "stock_min")
        if key not in res or against is None:
            continue
        c = counts.get(key)
        io_now = f"{c['sql_median']:g} / {c['redis_median']:g}" if c else "–"
        p = paired.get(key)
        rows.append(
            f"| {LABELS[key]} | {ratio_then} | {res[key].rps / against.rps:.2f} "
            f"| {f'{p.ratio:.2f}' if p else '–'} "
            f"| {cpu_then} | {cpu.get(f'limited:{key}', 0):.2f} | {io_then} | {io_now} |"
        )
    return [
        "| page | × reference, filed | × reference, now (rows) | now (paired median) "
        "| CPU ms, filed | CPU ms, now | SQL / Redis, filed | SQL / Redis, now |",
        "|---|---:|---:|---:|---:|---:|---|---|",
        *rows,
    ]


def render(
    results: dict[str, dict[str, WrkResult]],
    problems: dict[str, str],
    counts: dict,
    prepared: dict,
    meta: dict,
    loads: dict[str, str],
    cpu: dict[str, float],
    paired: dict[str, Paired],
) -> str:
    rows = []
    reference = results.get("limited", {}).get("stock_min")
    for instance, title in (
        ("limited", "rate limiter on"),
        ("unlimited", "rate limiter off"),
        ("proxied", "limiter on, via HAProxy + PgBouncer"),
    ):
        res = results.get(instance, {})
        # Through the proxies the ratios stay against the direct ceiling, so they show
        # what the two extra hops cost.
        bare = results.get("limited", {}).get("bare") if instance == "proxied" else res.get("bare")
        for key, label in LABELS.items():
            where = f"{instance}:{key}"
            if key not in res and where not in problems:
                continue
            if key not in res:
                rows.append(f"| {label} | {title} | not measured: {problems[where]} |" + " |" * 9)
                continue
            r = res[key]
            c = counts.get(key, {}) if instance == "limited" and key in COUNTED else {}
            sql = (
                f"{c['sql_median']:g} ({c['sql_before_view_median']:g}), "
                f"{c['writes_median']:g} writes"
                if c
                else ""
            )
            red = f"{c['redis_median']:g} ({c['redis_before_view_median']:g})" if c else ""
            sto = f"{c['storage_median']:g}" if c else ""
            assert bare is not None  # every run measures the ceiling first
            errors = r.non2xx3xx + r.socket_errors
            vs_ref = f"{r.rps / reference.rps:.2f}" if reference else "n/a"
            rows.append(
                f"| {label} | {title} | {fmt(r.rps, 0)} | {fmt(r.p50_ms, 2)} | {fmt(r.p99_ms, 2)} "
                f"| {r.rps / bare.rps:.3f} | {vs_ref} | {cpu.get(where, 0):.2f} "
                f"| {sql} / {red} / {sto} | {errors} | {loads.get(where, '')} |"
            )
    table = "\n".join(
        [
            "| page | instance | req/s | p50 ms | p99 ms | × (1) | × (2) | app CPU ms / request "
            "| SQL (before the view), writes / Redis (before) / storage per request "
            "| non-2xx/3xx + socket errors | load avg |",
            "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|",
            *rows,
        ]
    )
    targets = evaluate(results, counts, paired)
    notes = meta["notes"]
    return "\n".join(
        [
            "# Benchmark results (`make bench`)",
            "",
            f"Run {meta['when']} on {meta['machine']}; commit `{meta['commit']}`. "
            f"wrk: {meta['connections']} connections, 2 threads, {meta['seconds']} s per page "
            "after a 2 s warm-up; gunicorn 2 sync workers per instance; PostgreSQL and Redis "
            "on loopback. (2) and (1s) run on a third instance with stock Django settings "
            "(bench/stock_settings.py: `startproject`'s middleware, `django.contrib.sessions` "
            "database sessions, ModelBackend, a one-line template), same database and users.",
            "",
            'Rows "via HAProxy + PgBouncer": the limiter-on app on a fourth instance whose '
            "`DATABASE_URL` is PgBouncer in transaction pooling (`DATABASE_POOLER=pgbouncer`: "
            "no prepared statements, no server-side cursors), behind HAProxy (X-Real-IP), "
            "configs written by cluster/topology.py; × (1) and × (2) are against the direct "
            "(1) and (2), so they include the two extra hops. All of it shares the same "
            "cores as the direct rows: this shows the cost of the hops, not horizontal "
            "scaling (docs/scaling.md).",
            "",
            table,
            "",
            "App CPU ms / request: user + system CPU of the instance's gunicorn workers over "
            "the measured run (from /proc) divided by the requests served.",
            "",
            "## Issue 22's rows: when it was filed, and now",
            "",
            "Rate limiter on. × reference: req/s against the minimal stock signed-in page "
            "(2), for `/healthz/` against the bare view under stock middleware (1s). The "
            "filed figures are the issue's own side-by-side run (`AT_FILING` in "
            "bench/run.py); the stock page's counts are Django's, not measured here. "
            "`/healthz/` is counted now with the signed-in client, as every row is: its one "
            "statement is that person's session, loaded for their language "
            "(UserLocaleMiddleware); wrk's requests carry no cookie and make none.",
            "",
            *before_after(results, counts, cpu, paired),
            "",
            "## Paired rounds: the ratios the targets are judged on",
            "",
            "The rows above measure each page once, a minute or more apart from the "
            "reference it is a ratio to, and this machine's speed drifts by more than the "
            "margins in between. Here each judged page and its reference run in "
            f"alternating rounds (page, reference; reference, page; ...), "
            f"{meta['pair_seconds']} s each after a 1 s warm-up, on an instance of their own "
            "with the rate limiter on and the header memo off (`TEMPLATE_MEMO_MAX_MB=0`: "
            "every header rendered, as for a person's first page; the rows above reach each "
            "person about once per worker too). The median of the rounds' ratios is the one "
            "judged. PostgreSQL's CPU (the server's processes, from /proc) runs on the same "
            "cores, which is why a page's req/s ratio is lower than its app CPU ratio.",
            "",
            *paired_table(paired),
            "",
            "## Targets",
            "",
            *[f"- {'✅ met' if ok else '❌ NOT met'}: {text}" for ok, text in targets],
            "",
            "## Setup of this run",
            "",
            f"- Volume: {meta['volume']}",
            f"- Session engine: `{prepared['session_engine']}`; middleware: "
            + ", ".join(f"`{m.rsplit('.', 1)[-1]}`" for m in prepared["middleware"]),
            "- Load spread over "
            f"{len(prepared['identities'])} signed-in users (one cookie each; the first "
            "100 signed in on 20 browsers each, they are the devices page's users) and one "
            "`X-Forwarded-For` address per identity (`TRUSTED_PROXIES=1`), so per-user and "
            "per-IP rate limits see realistic traffic (docs/performance.md). Sign-in posts "
            "rotate over 5,000 accounts and addresses with the limiter ON; a 429 would show in "
            "the errors column.",
            "- SQL / Redis / storage are medians over "
            f"{counts.get('dashboard', {}).get('n', '?')} requests counted in-process with the "
            "same settings (every statement, and which of them write; every Redis socket "
            "write, i.e. round trip; every S3 HTTP request), from the rate-limiter-on "
            "configuration.",
            *[f"- {n}" for n in notes],
            "",
        ]
    )


def evaluate(
    results: dict[str, dict[str, WrkResult]], counts: dict, paired: dict[str, Paired]
) -> list[tuple[bool, str]]:
    """The targets; the req/s ratios from the paired rounds (the rows' when not run)."""
    out: list[tuple[bool, str]] = []
    res = results.get("limited", {})
    ref = res.get("stock_min")

    def judged(key: str, against: WrkResult | None) -> tuple[float, str] | None:
        p = paired.get(key)
        if p is not None:
            rounds = ", ".join(f"{x:.2f}" for x in p.ratios)
            return p.ratio, f"paired rounds {rounds}, median {p.ratio:.2f}×"
        if against is None or key not in res:
            return None
        ratio = res[key].rps / against.rps
        return ratio, f"{res[key].rps:,.0f} vs {against.rps:,.0f} req/s = {ratio:.2f}×"

    for key in ("dashboard", "personal", "devices", "api_members"):
        found = judged(key, ref)
        if found:
            out.append(
                (
                    found[0] >= FLOORS[key],
                    f"{LABELS[key]} ≥ {FLOORS[key]}× the minimal stock signed-in page (2): "
                    f"{found[1]}",
                )
            )
    found = judged("dashboard", ref)
    if found:
        out.append((found[0] >= 1.0, f"goal: org dashboard ≥ 1.0× (2): {found[0]:.2f}×"))
    found = judged("healthz", res.get("stock_bare"))
    if found:
        out.append(
            (
                found[0] >= FLOORS["healthz"],
                "`/healthz/` through Pacetrack's whole middleware ≥ 0.85× a bare view under "
                f"stock middleware (1s): {found[1]}",
            )
        )
    for key in ("dashboard", "personal", "devices", "api_members"):
        c = counts.get(key)
        if not c:
            continue
        out.append(
            (
                c["sql_max"] <= 3 and c["redis_max"] == 1 == c["redis_median"],
                f"{LABELS[key]}: ≤ 3 SQL and exactly 1 Redis round trip per request: "
                f"SQL max {c['sql_max']}, Redis median {c['redis_median']:g} max {c['redis_max']}",
            )
        )
        out.append(
            (
                c["writes_median"] == 0,
                f"{LABELS[key]}: no write on most requests: median {c['writes_median']:g} "
                f"writes (max {c['writes_max']})",
            )
        )
    c = counts.get("dashboard")
    if c:
        out.append(
            (
                c["sql_before_view_max"] <= 2,
                "≤ 2 SQL queries of per-request overhead (session, user, tenant, role: "
                f"everything before the view runs): max {c['sql_before_view_max']}",
            )
        )
    small = counts.get("dashboard_small")
    if c and small:
        out.append(
            (
                small["sql_median"] == c["sql_median"] and small["redis_max"] == c["redis_max"],
                f"flat from {counts['session_rows_small']} to "
                f"{counts['session_rows_full']:,} sessions: SQL {small['sql_median']:g} vs "
                f"{c['sql_median']:g}, Redis {small['redis_max']} vs {c['redis_max']}",
            )
        )
    inm = counts.get("serve_inm")
    if inm:
        out.append(
            (
                inm["storage_max"] == 0 and inm["ok"],
                f"(4) with a matching ETag does no storage I/O: {inm['storage_max']} storage "
                f"requests, status {inm['statuses']}",
            )
        )
    else:
        out.append((False, "(4) /serve/: not measured (no avatar could be uploaded)"))
    return out


def main() -> int:
    started = time.monotonic()
    seconds = int(os.environ.get("BENCH_SECONDS", "10"))
    connections = int(os.environ.get("BENCH_CONNECTIONS", "32"))
    pair_rounds = int(os.environ.get("BENCH_PAIR_ROUNDS", "3"))
    pair_seconds = int(os.environ.get("BENCH_PAIR_SECONDS", "4"))
    RESULTS.mkdir(parents=True, exist_ok=True)
    logdir = ROOT / "var" / "bench"
    logdir.mkdir(parents=True, exist_ok=True)
    procs = Processes()
    notes: list[str] = []
    with temp_dir("pt-bench-static-") as static_root, temp_dir("pt-bench-proxy-") as proxy_dir:
        base = production_env(
            DATABASE_URL=os.environ.get(
                "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pt_bench"
            ),
            REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"),
            CACHE_KEY_PREFIX="bench",
            # Fresh rate-limit budgets per run: earlier runs' windows must not leak in.
            RATELIMIT_KEY_PREFIX=f"bench{int(time.time())}:",
            BENCH_ENDPOINTS="true",
            TRUSTED_PROXIES="1",
            # Per API key (default 100/15m; no plan sets an `api_rate`): the bench spreads
            # keys like it spreads users, but a long run must never measure a 429.
            RATELIMIT_API="1000000/15m",
            STATIC_ROOT=str(static_root),
            TASKS_BACKEND="database",
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            **s3_env(PORT_MOTO, BUCKET),
        )
        try:
            log(f"starting moto (S3) on 127.0.0.1:{PORT_MOTO}")
            start_moto(procs, port=PORT_MOTO, logfile=logdir / "moto.log")
            s3_create_bucket(PORT_MOTO, BUCKET)
            log("migrating the bench database")
            subprocess.run(
                ["createdb", "-h", "127.0.0.1", "-U", "postgres", "pt_bench"],
                capture_output=True,
                check=False,
            )
            manage(base, "migrate", "--noinput")
            if (ROOT / "node_modules").exists():
                # Templates reference the built assets; `make bench` builds them via `setup`
                # too, this keeps `python -m bench.run` honest on its own.
                subprocess.run(
                    ["npm", "run", "--silent", "build"], cwd=ROOT, check=True, capture_output=True
                )
            manage(base, "collectstatic", "--noinput")
            log("seeding (COPY; re-used when present)")
            subprocess.run([sys.executable, "-m", "bench.seed"], cwd=ROOT, env=base, check=True)
            log("making signed-in identities")
            prepared = json.loads(python_module(base, "bench.prepare", "2000"))
            if prepared["avatar"]["status"] != "ok":
                notes.append(f"/serve/ not measured: {prepared['avatar']['reason']}")
            if "sessions_app" not in prepared["session_engine"]:
                notes.append(
                    f"sessions_app engine NOT installed yet: SESSION_ENGINE is "
                    f"`{prepared['session_engine']}`"
                )
            if not any("ratelimit" in m for m in prepared["middleware"]):
                notes.append("ratelimit middleware NOT installed yet: limiter-on = limiter-off")
            prepared_file = logdir / "prepared.json"
            prepared_file.write_text(json.dumps(prepared))
            volume = python_module(base, "bench.volume").strip()
            log(f"volume: {volume}")

            log(f"starting gunicorn (limiter on :{PORT_LIMITED}, off :{PORT_UNLIMITED})")
            masters = {
                PORT_LIMITED: start_gunicorn(
                    procs, port=PORT_LIMITED, env=base, logfile=logdir / "gunicorn-limited.log"
                ),
                PORT_UNLIMITED: start_gunicorn(
                    procs,
                    port=PORT_UNLIMITED,
                    env={**base, "RATELIMIT_ENABLED": "false"},
                    logfile=logdir / "gunicorn-unlimited.log",
                ),
                PORT_PAIRED: start_gunicorn(
                    procs,
                    port=PORT_PAIRED,
                    env={**base, "TEMPLATE_MEMO_MAX_MB": "0"},
                    logfile=logdir / "gunicorn-paired.log",
                ),
                PORT_STOCK: start_gunicorn(
                    procs,
                    port=PORT_STOCK,
                    env={**base, "DJANGO_SETTINGS_MODULE": "bench.stock_settings"},
                    logfile=logdir / "gunicorn-stock.log",
                    ready_path="/hello/",
                ),
            }
            cpu: dict[str, float] = {}
            results: dict[str, dict[str, WrkResult]] = {"limited": {}, "unlimited": {}}
            problems: dict[str, str] = {}
            loads: dict[str, str] = {}
            plan = [("limited", s) for s in scenarios(prepared, PORT_LIMITED, with_signin=True)]
            plan += [
                ("unlimited", s) for s in scenarios(prepared, PORT_UNLIMITED, with_signin=False)
            ]
            results["proxied"] = {}
            skip = proxied_skip_reason(base["DATABASE_URL"])
            if skip:
                for key in PROXIED_KEYS:
                    problems[f"proxied:{key}"] = skip
                log(f"SKIP the HAProxy + PgBouncer rows: {skip}")
            else:
                log(
                    f"starting PgBouncer :{PORT_PGBOUNCER}, gunicorn :{PORT_PROXIED_APP} on it, "
                    f"HAProxy :{PORT_HAPROXY} in front"
                )
                masters[PORT_HAPROXY] = start_proxied(procs, base, proxy_dir, logdir)
                plan += [
                    ("proxied", s)
                    for s in scenarios(prepared, PORT_HAPROXY, with_signin=False)
                    if s.key in PROXIED_KEYS
                ]
                plan.append(("proxied", healthz_scenario(PORT_HAPROXY)))
            for instance, sc in plan:
                problem = check(sc)
                if problem:
                    problems[f"{instance}:{sc.key}"] = problem
                    log(f"SKIP {sc.label} [{instance}]: {problem}")
                    continue
                path = write_requests(sc.lines)
                # Sign-in is CPU-bound (Argon2): a few connections measure its service time
                # instead of the queue in front of two workers.
                conns = min(4, connections) if sc.key == "signin" else connections
                try:
                    r, sample = timed_run(
                        sc,
                        master=masters[sc.port],
                        requests_file=path,
                        warmup=2,
                        seconds=seconds,
                        connections=conns,
                    )
                    cpu[f"{instance}:{sc.key}"] = sample.cpu
                finally:
                    path.unlink()
                results[instance][sc.key] = r
                loads[f"{instance}:{sc.key}"] = f"{os.getloadavg()[0]:.1f}"
                log(
                    f"{sc.label} [{instance}]: {r.rps:,.0f} req/s, p50 {r.p50_ms:.2f} ms, "
                    f"p99 {r.p99_ms:.2f} ms, errors {r.non2xx3xx + r.socket_errors}, "
                    f"app CPU {cpu[f'{instance}:{sc.key}']:.2f} ms/request"
                )
            log("paired rounds: each judged page against its reference, alternating")
            paired = measure_pairs(
                {
                    sc.key: sc
                    for sc in scenarios(prepared, PORT_PAIRED, with_signin=True)
                    if sc.key in {k for pair in PAIRS for k in pair}
                },
                masters,
                rounds=pair_rounds,
                seconds=pair_seconds,
                connections=connections,
                problems=problems,
            )
            for key, problem in problems.items():
                if key.startswith("paired:"):
                    notes.append(f"paired rounds of {key.split(':', 1)[1]}: {problem}")
            log("counting SQL / Redis / storage per request")
            try:
                counts = json.loads(
                    python_module(base, "bench.querycount", str(prepared_file), "20")
                )
            except subprocess.CalledProcessError as exc:
                counts = {}
                notes.append(
                    f"the SQL/Redis/storage count pass failed (exit {exc.returncode}); "
                    "see the output above"
                )
            for key in (*COUNTED, "dashboard_small"):
                if key in counts and not counts[key]["ok"]:
                    notes.append(f"count pass for {key} saw statuses {counts[key]['statuses']}")
            if "dashboard" in counts:
                notes.append(
                    "SQL of one dashboard request: "
                    + "; ".join(f"`{s[:90]}`" for s in counts["dashboard"]["last_statements"])
                )
            log("timing the hot-path lookups: ORM against prebuilt SQL")
            try:
                cost = json.loads(python_module(base, "bench.lookup_cost", "2000"))
            except subprocess.CalledProcessError as exc:
                notes.append(f"bench.lookup_cost failed (exit {exc.returncode})")
            else:
                notes.append(
                    "Hot-path lookups, median ms in-process (`python -m bench.lookup_cost`): "
                    f"session + user {cost['session_orm_ms']} through the ORM, "
                    f"{cost['session_prebuilt_ms']} prebuilt; membership + tenant + role + "
                    f"account {cost['membership_orm_ms']} through the ORM, "
                    f"{cost['membership_prebuilt_ms']} prebuilt"
                )
        finally:
            procs.stop_all()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    cpu_model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    meta = {
        "when": time.strftime("%Y-%m-%d %H:%M %Z"),
        "machine": f"{os.cpu_count()} cores ({cpu_model}), Python {platform.python_version()}",
        "commit": commit,
        "seconds": seconds,
        "pair_seconds": pair_seconds,
        "connections": connections,
        "volume": volume,
        "notes": notes + [f"Whole run took {time.monotonic() - started:.0f} s."],
    }
    text = render(results, problems, counts, prepared, meta, loads, cpu, paired)
    (RESULTS / "latest.md").write_text(text)
    print()
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
