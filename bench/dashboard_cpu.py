"""App CPU per request of the dashboards and the stock signed-in page, in-process.

`make bench` measures throughput with gunicorn and wrk; this measures what one request
costs the Python process, without the load generator sharing the CPU: the Django test
client goes through the whole stack (middleware, view, templates, PostgreSQL, Redis)
and `time.process_time()` is read around a few hundred requests (the fastest of five
rounds). It runs in a minute
and is steady enough to compare two commits (docs/performance.md has the figures).

- org dashboard `/t/<org>/` and personal dashboard `/t/<personal>/` of a person in
  three organisations (the org has 8 members, 3 teams, some activity);
- the minimal stock-Django signed-in page (`bench/stock_settings.py`, `/signed-in/`)
  in a subprocess with `DJANGO_SETTINGS_MODULE=bench.stock_settings`.

Production settings (DEBUG off, manifest static files collected into a temp dir),
the database of `BENCH_DATABASE_URL` (default `pt_bench`, migrated here if needed),
Redis of `BENCH_REDIS_URL` (default DB 9). The data is made inside a transaction that
is rolled back, so nothing is left behind.

Usage: `python -m bench.dashboard_cpu [--n 300] [--profile org|personal|stock]`
(`--profile` prints the cProfile hotspots of that page).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 5
PYTHON = sys.executable


def _env(static_root: str) -> dict[str, str]:
    from bench.lib import production_env

    return production_env(
        DATABASE_URL=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pt_bench"
        ),
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"),
        CACHE_KEY_PREFIX="benchcpu",
        RATELIMIT_KEY_PREFIX=f"benchcpu{int(time.time())}:",
        BENCH_ENDPOINTS="true",
        STATIC_ROOT=static_root,
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )


def _world() -> dict[str, Any]:
    """A person in three organisations (one with members, teams and activity) and their
    personal workspace, made with the app's own services."""
    from django.utils import timezone

    from accounts.services import user_signup
    from tenants.models import Role, Tenant
    from tenants.services import membership_create, team_create, team_member_add, tenant_create_org

    now = timezone.now()

    def person(i: int) -> Any:
        user = user_signup(email=f"cpu{i}@bench.test", password=None, name=f"Person {i}")
        user.email_verified_at = now
        user.save(update_fields=["email_verified_at"])
        return user

    owner = person(0)
    org = tenant_create_org(owner=owner, name="Acme Corp")
    for name in ("Beta Labs", "Zeta Inc"):
        tenant_create_org(owner=owner, name=name)
    member_role = Role.objects.get(tenant=org, key="member")
    members = [
        membership_create(tenant=org, user=person(i), role=member_role, acting_user=owner)
        for i in range(1, 8)
    ]
    for t in range(3):
        team = team_create(tenant=org, name=f"Team {t}", acting_user=owner)
        for m in members[t::3]:
            team_member_add(tenant=org, team=team, membership=m, acting_user=owner)
    personal = Tenant.objects.get(personal_owner=owner)
    return {"user": owner, "org": org.slug, "personal": personal.slug}


def _time(client: Any, path: str, n: int, profile: bool, html: str = "") -> dict[str, Any]:
    for _ in range(20):  # warm-up: templates compiled, statements prepared
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    # The fastest of several rounds: other processes on a shared machine only ever add
    # CPU time (cache misses, frequency), so the minimum is the steadiest figure.
    rounds = []
    for _ in range(ROUNDS):
        start = time.process_time()
        for _ in range(max(1, n // ROUNDS)):
            client.get(path)
        rounds.append((time.process_time() - start) * 1000 / max(1, n // ROUNDS))
    cpu_ms = min(rounds)
    if profiler:
        profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)
    if html:  # the page as served, to compare the HTML before and after a change
        Path(html).write_bytes(response.content)
    return {"path": path, "n": n, "cpu_ms": round(cpu_ms, 3), "bytes": len(response.content)}


def child(which: str, n: int, profile: str, html_dir: str) -> None:
    import django

    django.setup()
    from django.db import transaction
    from django.test import Client

    results: dict[str, Any] = {}
    with transaction.atomic():
        client = Client(HTTP_HOST="127.0.0.1")
        if which == "stock":
            from accounts.models import User

            user = User.objects.create_user(email="stock@bench.test", password=None, name="S")
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            results["stock"] = _time(client, "/signed-in/", n, profile == "stock")
        else:
            world = _world()
            client.force_login(world["user"])
            for key in ("org", "personal"):
                html = str(Path(html_dir) / f"{key}.html") if html_dir else ""
                results[key] = _time(client, f"/t/{world[key]}/", n, profile == key, html)
        transaction.set_rollback(True)
    print(json.dumps(results))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--profile", choices=["org", "personal", "stock"], default="")
    parser.add_argument("--html", default="", help="write each dashboard's HTML into this dir")
    parser.add_argument("--child", choices=["pacetrack", "stock"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.n, args.profile, args.html)
        return 0
    with tempfile.TemporaryDirectory(prefix="pt-cpu-static-") as static_root:
        env = _env(static_root)
        run = {"cwd": ROOT, "env": env, "check": True}
        subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], **run)  # type: ignore[call-overload]
        subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], **run)  # type: ignore[call-overload]
        results: dict[str, Any] = {}
        for which, settings_module in (
            ("pacetrack", "config.settings"),
            ("stock", "bench.stock_settings"),
        ):
            out = subprocess.run(
                [PYTHON, "-m", "bench.dashboard_cpu", "--child", which, "--n", str(args.n)]
                + (["--profile", args.profile] if args.profile else [])
                + (["--html", str(Path(args.html).resolve())] if args.html else []),
                cwd=ROOT,
                env={**env, "DJANGO_SETTINGS_MODULE": settings_module},
                check=True,
                stdout=subprocess.PIPE,
                text=True,
            ).stdout
            results.update(json.loads(out.strip().splitlines()[-1]))
    stock = results["stock"]["cpu_ms"]
    print(f"{'page':<22} {'CPU ms/request':>15} {'× stock CPU':>12} {'bytes':>8}")
    for key, label in (
        ("org", "org dashboard"),
        ("personal", "personal dashboard"),
        ("stock", "stock signed-in page"),
    ):
        r = results[key]
        print(f"{label:<22} {r['cpu_ms']:>15.2f} {r['cpu_ms'] / stock:>12.2f} {r['bytes']:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
