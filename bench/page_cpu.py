"""App CPU milliseconds per request for the hot pages, in-process and without wrk.

`make bench` needs a quiet machine; this needs one core for a few seconds. It builds a
throwaway test database (Django's test-database creation: in memory on SQLite,
`test_<name>` on PostgreSQL), seeds one owner with 20 signed-in devices, an org of
25 members and 25 files (or PAGE_CPU_MEMBERS and PAGE_CPU_FILES; PAGE_CPU_TEAMS teams)
and a personal workspace, and calls the WSGI handler directly with fixed
environs (no test client, no socket), so what is timed is Django, the middleware
stack, the view and the template. CPU time (`time.process_time`) is what is reported:
it leaves out the database's own work and is steadier than wall time on a shared box.

A second process runs the same loop under `bench.stock_settings` for the references:
a bare view under Django's stock middleware (`/hello/`) and the minimal stock
signed-in page (`/signed-in/`), so ratios are measured in one run.

    python -m bench.page_cpu [N]          # N requests per page (default 2000)
    PAGE_CPU_ONLY=healthz,devices python -m bench.page_cpu   # some of the pages
    PAGE_CPU_PROFILE=devices python -m bench.page_cpu 500   # cProfile of one page instead
    PAGE_CPU_HTML=var/html python -m bench.page_cpu   # also write each page's HTML there
    PAGE_CPU_GC_FREEZE=1 python -m bench.page_cpu   # gc.freeze() after a warm-up, as
                                                    # config/gunicorn.conf.py does
    PAGE_CPU_MEMBERS=500 PAGE_CPU_FILES=500 PAGE_CPU_TEAMS=30 python -m bench.page_cpu
                                                    # a larger org, its members in teams
    PAGE_CPU_SPLIT=1 python -m bench.page_cpu 300   # each page's CPU, and how much of
        # it is template rendering (and what rendering it a second time in the same
        # request costs: more than a second time would mean lazy values first
        # evaluated inside the template), five rounds each

(This replaces bench/dashboard_cpu.py: the same dashboards, beside the same stock page.)

Production settings (DEBUG off, static files collected into var/page_cpu_static) with
plain-http loopback, like bench/lib.py; the rate limiter is off so 2,000 page views
per user are not refused. Both processes run inside `core.stack_room.run_with_stack_room`,
as gunicorn's workers do (config/gunicorn.conf.py).
"""

from __future__ import annotations

import gc
import io
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

DEVICE_SESSIONS = 20
# The org's size: PAGE_CPU_MEMBERS / PAGE_CPU_FILES measure the list pages of a larger one.
ORG_MEMBERS = int(os.environ.get("PAGE_CPU_MEMBERS", "25"))
ORG_FILES = int(os.environ.get("PAGE_CPU_FILES", "25"))
# PAGE_CPU_TEAMS teams, the members spread over them (none by default).
ORG_TEAMS = int(os.environ.get("PAGE_CPU_TEAMS", "0"))

_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "SESSION_SECRET": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "SECURE_HSTS_SECONDS": "0",
    "RATELIMIT_ENABLED": "false",
    "LOG_LEVEL": "WARNING",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
}


def _environ(
    path: str, cookies: dict[str, str], headers: dict[str, str] | None = None
) -> dict[str, Any]:
    return {
        **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (headers or {}).items()},
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
        "HTTP_ACCEPT": "text/html",
        "HTTP_COOKIE": "; ".join(f"{k}={v}" for k, v in cookies.items()),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def request(
    app: Callable[..., Iterable[bytes]],
    environ: dict[str, Any],
    start_response: Callable[..., Any] = lambda status, headers, exc_info=None: None,
) -> bytes:
    """One request through the WSGI handler, its body read and closed."""
    env = dict(environ)
    env["wsgi.input"] = io.BytesIO(b"")
    body = app(env, start_response)
    content = b"".join(body)
    close = getattr(body, "close", None)
    if close is not None:
        close()
    return content


def _cpu_ms(app: Callable[..., Iterable[bytes]], environ: dict[str, Any], n: int) -> float:
    """Median over 5 rounds of the CPU ms one request costs (after a warm-up)."""
    statuses: list[str] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
        statuses.append(status)

    for _ in range(50):
        request(app, environ, start_response)
    if not statuses[-1].startswith("200"):
        raise SystemExit(f"{environ['PATH_INFO']} answered {statuses[-1]}")
    rounds = []
    per_round = max(1, n // 5)
    for _ in range(5):
        start = time.process_time()
        for _ in range(per_round):
            request(app, environ, start_response)
        rounds.append((time.process_time() - start) * 1000 / per_round)
    return round(sorted(rounds)[2], 3)


def interleaved(
    app: Callable[..., Iterable[bytes]],
    environ: dict[str, Any],
    n: int,
    variants: list[tuple[str, Callable[[], None]]],
    rounds: int = 16,
    around: dict[str, Callable[[Callable[[], float]], float]] | None = None,
) -> dict[str, float]:
    """Median CPU ms per request of each variant (its callable switches the code to it),
    timed in `rounds` interleaved rounds of n requests, the order reversed every other
    round: one process, so the machine's drift falls on every variant alike. `around`
    names variants whose rounds run through a wrapper instead (bench.stack_ab)."""

    def timed_round() -> float:
        start = time.process_time()
        for _ in range(n):
            request(app, environ)
        return (time.process_time() - start) * 1000 / n

    for _ in range(50):
        request(app, environ)
    times: dict[str, list[float]] = {name: [] for name, _ in variants}
    for r in range(rounds):
        for name, use in variants if r % 2 else variants[::-1]:
            use()
            wrap = (around or {}).get(name)
            times[name].append(wrap(timed_round) if wrap else timed_round())
    return {name: round(statistics.median(values), 3) for name, values in times.items()}


def print_ab(results: dict[str, dict[str, float]], before: str, after: str) -> None:
    """One line per page of an A/B: both variants' CPU ms and what `after` saves."""
    print(f"{'page':<22} {before + ' ms':>13} {after + ' ms':>13} {'saved':>7}")
    for name, r in results.items():
        saved = 1 - r[after] / r[before]
        print(f"{name:<22} {r[before]:>13.3f} {r[after]:>13.3f} {saved:>7.1%}")


def _cpu_split(app: Callable[..., Iterable[bytes]], environ: dict[str, Any], n: int) -> list[str]:
    """Per round: the request's CPU ms, the template's share, a second rendering's."""
    from django.template.backends.django import Template

    render = Template.render
    spent = {"first": 0.0, "second": 0.0}

    def timed(self: Template, *args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        html = render(self, *args, **kwargs)
        middle = time.process_time()
        render(self, *args, **kwargs)
        spent["first"] += middle - start
        spent["second"] += time.process_time() - middle
        return html

    for _ in range(50):
        request(app, environ)
    rounds = []
    per_round = max(1, n // 5)
    Template.render = timed  # type: ignore[method-assign,assignment]
    try:
        for _ in range(5):
            spent.update(first=0.0, second=0.0)
            start = time.process_time()
            for _ in range(per_round):
                request(app, environ)
            total = time.process_time() - start - spent["second"]
            ms = [v * 1000 / per_round for v in (total, spent["first"], spent["second"])]
            rounds.append("{:.2f} (template {:.2f}, again {:.2f})".format(*ms))
    finally:
        Template.render = render  # type: ignore[method-assign]
    return rounds


def _profile(app: Callable[..., Iterable[bytes]], environ: dict[str, Any], n: int) -> None:
    import cProfile
    import pstats

    for _ in range(50):
        request(app, environ)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        request(app, environ)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(30)
    callers = os.environ.get("PAGE_CPU_CALLERS")
    if callers:
        stats.print_callers(callers)
    callees = os.environ.get("PAGE_CPU_CALLEES")
    if callees:
        stats.print_callees(callees)


def collect_static() -> None:
    """The environment defaults, and the static files that production settings (DEBUG
    off, manifest storage) need, collected into a scratch STATIC_ROOT under var/."""
    for key, value in _ENV.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("STATIC_ROOT", str(Path("var") / "page_cpu_static"))
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _setup(settings_module: str) -> Any:
    for key, value in _ENV.items():
        os.environ.setdefault(key, value)
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "sqlite":  # never the test database pytest uses
        connection.settings_dict["TEST"]["NAME"] = f"{connection.settings_dict['NAME']}_page_cpu"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    return connection


def org_with_members() -> tuple[Any, Any]:
    """An owner (address not verified) and an organisation of ORG_MEMBERS members, in
    ORG_TEAMS teams (each member in one, in turn)."""
    from accounts.services import user_signup
    from tenants.models import Membership, Role, TeamMember
    from tenants.services import membership_create, team_create, tenant_create_org

    owner = user_signup(email="owner@bench.test", password=None, name="Owner")
    org = tenant_create_org(owner=owner, name="Bench Org")
    role = Role.objects.get(tenant=org, key="member")
    for i in range(ORG_MEMBERS - 1):
        member = user_signup(email=f"m{i}@bench.test", password=None, name=f"Member {i}")
        membership_create(tenant=org, user=member, role=role, acting_user=None)
    teams = [
        team_create(tenant=org, name=f"Team {i}", parent=None, acting_user=None)
        for i in range(ORG_TEAMS)
    ]
    if teams:
        members = Membership.objects.filter(tenant=org).order_by("pk")
        TeamMember.objects.bulk_create(
            [TeamMember(team=teams[i % len(teams)], membership=m) for i, m in enumerate(members)]
        )
    return owner, org


Measure = Callable[[Callable[..., Iterable[bytes]], dict[str, Any], int], Any]


def _pacetrack(n: int, measure: Measure = _cpu_ms, *, room: bool = True) -> dict[str, Any]:
    """Seed, then `measure(app, environ, n)` each page (bench.memo_ab passes its own).

    Measured inside `core.stack_room.run_with_stack_room`, where gunicorn's workers run
    their requests (config/gunicorn.conf.py); `room=False` measures from this script's
    own shallow stack instead (bench.stack_ab, which compares the two)."""
    if room:
        from core.stack_room import run_with_stack_room

        return run_with_stack_room(lambda: _pacetrack(n, measure, room=False))
    connection = _setup("config.settings")
    try:
        from django.conf import settings
        from django.core.wsgi import get_wsgi_application
        from django.test import Client

        from api.services import api_key_create
        from uploads.keys import upload_key_build
        from uploads.models import Upload

        owner, org = org_with_members()
        for i in range(ORG_FILES):  # rows only: the list never opens the stored objects
            Upload.objects.create(
                tenant=org,
                uploaded_by=owner,
                key=upload_key_build(tenant_id=org.pk, extension="pdf"),
                original_filename=f"report-{i}.pdf",
                content_type="application/pdf",
                size=12_345,
                checksum="0" * 64,
                kind=Upload.Kind.FILE,
            )
        cookie = ""
        for _ in range(DEVICE_SESSIONS):
            client = Client()
            client.force_login(owner)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        personal = owner.personal_tenant.slug
        app = get_wsgi_application()
        signed_in = {settings.SESSION_COOKIE_NAME: cookie}
        _, api_secret = api_key_create(
            tenant=org, name="page_cpu", scopes=[], expires_at=None, acting_user=owner
        )
        bearer = {"Authorization": f"Bearer {api_secret}", "Accept": "application/json"}
        pages = {
            "healthz": _environ("/healthz/", {}),
            "devices": _environ("/account/sessions/", signed_in),
            "org dashboard": _environ(f"/t/{org.slug}/", signed_in),
            "personal dashboard": _environ(f"/t/{personal}/", signed_in),
            "members": _environ(f"/t/{org.slug}/members/", signed_in),
            "files": _environ(f"/t/{org.slug}/files/", signed_in),
            "teams": _environ(f"/t/{org.slug}/teams/", signed_in),
            "audit": _environ(f"/t/{org.slug}/audit/", signed_in),  # its "Who" menu
            "account": _environ("/account/", signed_in),  # the 600 time zones
            "api members": _environ("/api/v1/members", {}, bearer),
        }
        html_dir = os.environ.get("PAGE_CPU_HTML")
        if html_dir:  # the pages as served, to diff the HTML before and after a change
            Path(html_dir).mkdir(parents=True, exist_ok=True)
            for name, environ in pages.items():
                content = request(app, environ)
                (Path(html_dir) / f"{name.replace(' ', '-')}.html").write_bytes(content)
        if os.environ.get("PAGE_CPU_GC_FREEZE"):
            # What gunicorn's master does once the app is loaded (config/gunicorn.conf.py):
            # warm every page up, then move what exists into the permanent generation.
            for environ in pages.values():
                for _ in range(20):
                    request(app, environ)
            gc.collect()
            gc.freeze()
        profile = os.environ.get("PAGE_CPU_PROFILE")
        if profile:  # cProfile of one page instead of the timings (see the docstring)
            _profile(app, pages[profile], n)
            return {}
        only = os.environ.get("PAGE_CPU_ONLY", "").split(",")
        return {
            name: measure(app, environ, n)
            for name, environ in pages.items()
            if only == [""] or name in only
        }
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


def _stock(n: int, *, room: bool = True) -> dict[str, float]:
    """The two references, measured where `_pacetrack` measures (inside the room)."""
    if room:
        from core.stack_room import run_with_stack_room

        return run_with_stack_room(lambda: _stock(n, room=False))
    connection = _setup("bench.stock_settings")
    try:
        from django.core.wsgi import get_wsgi_application

        from accounts.models import User
        from bench.prepare import stock_session

        user = User.objects.create_user(email="stock@bench.test", password=None, name="Stock")
        app = get_wsgi_application()
        cookies = {"stock-sessionid": stock_session(user)}
        return {
            "bare view (stock middleware)": _cpu_ms(app, _environ("/hello/", {}), n),
            "stock signed-in page": _cpu_ms(app, _environ("/signed-in/", cookies), n),
        }
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--stock"]:
        print(json.dumps(_stock(int(argv[1]))))
        return 0
    n = int(argv[0]) if argv else 2000
    collect_static()
    if os.environ.get("PAGE_CPU_PROFILE"):
        _pacetrack(n)
        return 0
    if os.environ.get("PAGE_CPU_SPLIT"):
        for name, rounds in _pacetrack(n, measure=_cpu_split).items():
            print(f"{name}: CPU ms per request, five rounds")
            for line in rounds:
                print(f"  {line}")
        return 0
    stock = json.loads(
        subprocess.run(
            [sys.executable, "-m", "bench.page_cpu", "--stock", str(n)],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
    )
    ours = _pacetrack(n)
    bare, page = stock["bare view (stock middleware)"], stock["stock signed-in page"]
    print(f"{'page':<30} {'CPU ms/req':>10} {'x bare':>8} {'x stock page':>13}")
    for name, ms in {**stock, **ours}.items():
        print(f"{name:<30} {ms:>10.3f} {bare / ms:>8.2f} {page / ms:>13.2f}")
    print(
        "ratios are CPU-time ratios (higher is cheaper): healthz target >= 0.85 x bare, "
        "devices >= 0.5 x stock page"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
