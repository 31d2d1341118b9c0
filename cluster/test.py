"""`make cluster-test`: bring the topology up, run signed-in users through HAProxy
while five faults are injected one at a time, print the report, tear down.

Faults: an app instance killed (SIGKILL) and restarted; a Redis Cluster master
killed (its replica takes over) and restarted; PgBouncer restarted; the replica's
replay paused (lag); the replica stopped and started. Exit status 1 on a 5xx
outside the fault windows, a lost write (acknowledged but not in the database), a
stale read of one's own write, or a revoked session accepted.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.lib import BIN, ROOT, log
from bench.seed import SEED_DOMAIN
from bench.soak import Record, django_shell
from cluster.load import Org, Writes, user_loop
from cluster.redis_nodes import masters
from cluster.topology import APP_PORTS, PGBOUNCER_PORT, PRIMARY_PORT, REDIS_PORTS, Cluster

USERS = int(os.environ.get("CLUSTER_USERS", "10"))
FAULT_SECONDS = float(os.environ.get("CLUSTER_FAULT_SECONDS", "10"))
SETTLE_SECONDS = float(os.environ.get("CLUSTER_SETTLE_SECONDS", "8"))
REPORT = ROOT / "bench" / "results" / "cluster-latest.md"


@dataclass
class Phase:
    name: str
    start: float
    end: float = 0.0  # the phase ends (a fault: healed; its window closes SETTLE_SECONDS later)
    fault: bool = True
    notes: list[str] = field(default_factory=list)


def seed(c: Cluster) -> list[Org]:
    env = {
        **c.env,
        "DATABASE_URL": c.env["DATABASE_URL"].replace("8310", str(PRIMARY_PORT)),
        "DATABASE_POOLER": "",
    }
    subprocess.run(
        [
            str(BIN / "python"),
            "-m",
            "bench.seed",
            "--users",
            str(USERS * 2),
            "--orgs",
            "0",
            "--memberships",
            str(USERS * 2),
            "--sessions",
            "0",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    # Each user owns an org (Business plan: no member cap) with one more member.
    orgs = django_shell(
        env,
        "from accounts.models import User\n"
        "from tenants.models import Role\n"
        "from tenants.services.memberships import membership_create\n"
        "from tenants.services.tenants import tenant_create_org\n"
        "out = {}\n"
        f"for i in range({USERS}):\n"
        f"    owner = User.objects.get(email=f'user{{i}}@{SEED_DOMAIN}')\n"
        f"    other = User.objects.get(email=f'user{{i + {USERS}}}@{SEED_DOMAIN}')\n"
        "    org = tenant_create_org(owner=owner, name=f'Cluster org {i}')\n"
        "    org.account.plan = 'business'\n"
        "    org.account.save(update_fields=['plan'])\n"
        "    roles = {r.key: r.pk for r in Role.objects.filter(tenant=org).exclude(key='')}\n"
        "    role = Role.objects.get(pk=roles['member'])\n"
        "    m = membership_create(tenant=org, user=other, role=role, acting_user=None)\n"
        "    out[owner.email] = [org.slug, m.pk, roles]\n"
        "print(json.dumps(out))",
    )
    return [Org(email, slug, mid, roles) for email, (slug, mid, roles) in orgs.items()]


def fault_app_kill(c: Cluster, phase: Phase) -> Callable[[], None]:
    victim = c.apps[APP_PORTS[0]]
    os.killpg(victim.pid, signal.SIGKILL)
    phase.notes.append(f"gunicorn :{APP_PORTS[0]} killed (SIGKILL)")
    return lambda: c.start_app(APP_PORTS[0])


def fault_redis_failover(c: Cluster, phase: Phase) -> Callable[[], None]:
    before = masters(REDIS_PORTS[-1])
    port = sorted(before)[0]
    os.killpg(c.redis[port].pid, signal.SIGKILL)
    began = time.monotonic()
    survivor = next(p for p in REDIS_PORTS if p != port)
    while time.monotonic() - began < 30:
        now = masters(survivor)
        if len(now) == 3 and port not in now:
            phase.notes.append(
                f"master :{port} killed; replica :{sorted(set(now) - set(before))} promoted "
                f"after {time.monotonic() - began:.1f} s"
            )
            break
        time.sleep(0.2)
    else:
        phase.notes.append(f"master :{port} killed; no replica promoted within 30 s")
    return lambda: c.restart_redis_node(port)


def fault_pgbouncer_restart(c: Cluster, phase: Phase) -> Callable[[], None]:
    began = time.monotonic()
    c.restart_pgbouncer()
    phase.notes.append(f"PgBouncer stopped and started again in {time.monotonic() - began:.1f} s")
    return lambda: None


def fault_replica_lag(c: Cluster, phase: Phase) -> Callable[[], None]:
    c.replica.sql("SELECT pg_wal_replay_pause()")

    def heal() -> None:
        lag = c.replica.sql(
            "SELECT COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)"
        )
        phase.notes.append(f"replay paused; lag when resumed: {float(lag):.1f} s")
        c.replica.sql("SELECT pg_wal_replay_resume()")

    return heal


def fault_replica_down(c: Cluster, phase: Phase) -> Callable[[], None]:
    c.replica.stop("immediate")
    phase.notes.append("replica stopped (immediate)")
    return c.replica.start


FAULTS = [
    ("app instance killed", fault_app_kill),
    ("Redis master failover", fault_redis_failover),
    ("PgBouncer restart", fault_pgbouncer_restart),
    ("replica lag (replay paused)", fault_replica_lag),
    ("replica down", fault_replica_down),
]


def supervise_workers(c: Cluster, stop: threading.Event, restarts: list[float]) -> None:
    """What systemd does: a task worker that exits (its database went away) is started
    again, after the emails that died with it are queued again."""
    while not stop.wait(1):
        for n, worker in enumerate(c.workers):
            if worker.poll() is not None:
                restarts.append(time.monotonic())
                subprocess.run(
                    [str(BIN / "python"), "manage.py", "resume_email_deliveries", "--stale", "30"],
                    cwd=ROOT,
                    env=c.env,
                    check=False,
                    capture_output=True,
                )
                c.start_worker(n)


def lost_writes(c: Cluster, record: Record, writes: Writes) -> dict[str, list[str]]:
    state = django_shell(
        c.env,
        "from tenants.models import Invitation, Membership\n"
        "from uploads.models import Upload\n"
        "print(json.dumps({'files': list(Upload.objects.filter(kind='file').values_list("
        "'tenant__slug', 'original_filename')), 'invites': list(Invitation.objects.values_list("
        "'tenant__slug', 'email')), 'roles': dict(Membership.objects.values_list('pk', "
        "'role__key'))}))",
    )
    files = {tuple(x) for x in state["files"]}
    invites = {tuple(x) for x in state["invites"]}
    roles = {int(k): v for k, v in state["roles"].items()}
    return {
        "files": [f"{s}/{n}" for s, n in record.acked_files if (s, n) not in files],
        "invites": [f"{s}:{e}" for s, e in record.acked_invites if (s, e) not in invites],
        "roles": [
            f"membership {pk}: {key} acknowledged, {roles.get(pk)} stored"
            for pk, (key, unsure) in writes.roles.items()
            if not unsure and roles.get(pk) != key
        ],
    }


def pooler_cost(c: Cluster) -> list[str]:
    """The two per-request lookups (bench/lookup_cost.py), median ms: straight to the
    primary with prepared statements (the default), without them, and through PgBouncer."""
    direct = c.env["DATABASE_URL"].replace(str(PGBOUNCER_PORT), str(PRIMARY_PORT))
    ways = {
        "primary, prepared statements": {"DATABASE_URL": direct, "DATABASE_POOLER": ""},
        "primary, no prepared statements": {
            "DATABASE_URL": direct,
            "DATABASE_POOLER": "",
            "DATABASE_PREPARED_STATEMENTS": "false",
        },
        "PgBouncer (transaction pooling)": {},
    }
    lines = ["| connection | session lookup ms | membership lookup ms |", "|---|---:|---:|"]
    for name, extra in ways.items():
        out = subprocess.run(
            [str(BIN / "python"), "-m", "bench.lookup_cost", "1000"],
            cwd=ROOT,
            env={**c.env, **extra},
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            lines.append(f"| {name} | failed | {out.stderr.strip()[-80:]} |")
            continue
        cost = json.loads(out.stdout.strip().splitlines()[-1])
        lines.append(
            f"| {name} | {cost['session_prebuilt_ms']} | {cost['membership_prebuilt_ms']} |"
        )
    return lines


def report(
    phases: list[Phase],
    record: Record,
    t_end: float,
    lost: dict[str, list[str]],
    writes: Writes,
    restarts: int,
) -> tuple[str, bool]:
    rows = [
        "| phase | window (s) | requests | 5xx | other errors | recovery (s) | notes |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    outside = [e for e in record.events if e.status >= 500 or e.status == 0]
    for p in phases:
        lo, hi = p.start, min(t_end, p.end + SETTLE_SECONDS if p.fault else p.end)
        # Requests are counted where they started, failures where they ended (a request
        # killed with its instance started before the fault).
        inside = [e for e in record.events if lo <= e.t < hi]
        failed = [
            e
            for e in record.events
            if (e.status >= 500 or e.status == 0) and lo <= e.t + e.seconds < hi
        ]
        bad = [e for e in failed if e.status >= 500]
        errors = [e for e in failed if e.status == 0]
        if p.fault:
            outside = [e for e in outside if not (e.t <= hi and e.t + e.seconds >= lo)]
        recovery = max((e.t + e.seconds for e in failed), default=p.start) - p.start
        seen = sorted({f"{e.op} → {e.status or e.note[:40]}" for e in failed})[:4]
        notes = "; ".join(p.notes + ([f"failed: {', '.join(seen)}"] if seen else []))
        rows.append(
            f"| {p.name} | {lo:.0f}–{hi:.0f} | {len(inside)} | {len(bad)} | "
            f"{len(errors)} | {max(0.0, recovery):.1f} | {notes} |"
        )
    n_lost = sum(len(v) for v in lost.values())
    refused = writes.revocations
    checks = [
        (
            "5xx or connection errors outside the fault windows",
            not outside,
            f"{len(outside)}: {[(round(e.t, 1), e.op, e.status) for e in outside[:5]]}",
        ),
        (
            "lost writes (acknowledged, not in the database)",
            n_lost == 0,
            f"{n_lost}: {lost}; acknowledged: {len(record.acked_files)} uploads, "
            f"{len(record.acked_invites)} invitations, {writes.role_acks} role changes",
        ),
        (
            "stale reads of one's own write (audit log right after an invite)",
            not writes.stale_own_writes,
            f"{len(writes.stale_own_writes)}",
        ),
        (
            "revoked sessions refused at once",
            bool(refused) and all(refused),
            f"{sum(refused)}/{len(refused)}",
        ),
    ]
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load = os.getloadavg()[0]
    header = f"{when}, {USERS} users, load average {load:.1f} at the end (docs/scaling.md)."
    lines = ["# make cluster-test", "", header, "", *rows, ""]
    lines += ["| check | result | detail |", "|---|---|---|"]
    lines += [f"| {name} | {'pass' if ok else 'FAIL'} | {detail} |" for name, ok, detail in checks]
    lines += [
        "",
        f"Task workers restarted by the supervisor: {restarts} times. "
        "Logs of every process: var/cluster/.",
    ]
    return "\n".join(lines), all(ok for _, ok, _ in checks)


def main() -> int:
    c = Cluster()
    try:
        c.up()
        orgs = seed(c)
        record, writes, stop = Record(), Writes(), threading.Event()
        t0 = time.monotonic()
        threads = [
            threading.Thread(target=user_loop, args=(i, org, t0, stop, record, writes), daemon=True)
            for i, org in enumerate(orgs)
        ]
        restarts: list[float] = []
        threading.Thread(target=supervise_workers, args=(c, stop, restarts), daemon=True).start()
        log(f"load: {len(orgs)} signed-in users through HAProxy")
        for th in threads:
            th.start()
        phases = [Phase("steady load (no fault)", 0.0, fault=False)]
        time.sleep(15)
        phases[0].end = time.monotonic() - t0
        for name, inject in FAULTS:
            phase = Phase(name, time.monotonic() - t0)
            log(f"fault: {name}")
            heal = inject(c, phase)
            time.sleep(FAULT_SECONDS)
            heal()
            phase.end = time.monotonic() - t0
            phases.append(phase)
            time.sleep(SETTLE_SECONDS)
        tail = Phase("after the faults (no fault)", time.monotonic() - t0, fault=False)
        time.sleep(8)
        stop.set()
        for th in threads:
            th.join(40)
        t_end = tail.end = time.monotonic() - t0
        phases.append(tail)
        lost = lost_writes(c, record, writes)
        text, ok = report(phases, record, t_end, lost, writes, len(restarts))
        log("measuring the cost of PgBouncer (bench/lookup_cost.py)")
        text += "\n\n" + "\n".join(pooler_cost(c))
    finally:
        log("tearing down")
        c.down()
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    Path(REPORT).write_text(text + "\n")
    print(text)
    print(json.dumps({"ok": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
