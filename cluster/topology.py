"""The pieces of the scale-out topology and how each is started (docs/scaling.md).

    client ─► HAProxy :8300 ─► gunicorn :8301 :8302 :8303 ─► PgBouncer :8310 ─► PostgreSQL :8311
                 (checks /healthz/)    │                                 │ streaming
                                       │                                 ▼
                                       ├─► replica reads ───────────► PostgreSQL :8312 (hot standby)
                                       ├─► Redis Cluster :8320-8325 (3 masters, 3 replicas)
                                       └─► moto S3 :8330
    task workers ×2, scheduler ─► PgBouncer

Every process is ours: started here, recorded in `<CLUSTER_DIR>/pids.json`, stopped
by its pid (never by name); PostgreSQL runs as the `postgres` user from temp data
directories under CLUSTER_DIR. The machine's own PostgreSQL and Redis are not touched.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.lib import (
    BIN,
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
    wait_http,
)
from cluster.redis_nodes import cluster_url, start_node, start_redis_cluster

HAPROXY_PORT = 8300
APP_PORTS = (8301, 8302, 8303)
PGBOUNCER_PORT = 8310
PRIMARY_PORT = 8311
REPLICA_PORT = 8312
REDIS_PORTS = [8320, 8321, 8322, 8323, 8324, 8325]
MOTO_PORT = 8330
BUCKET = "pacetrack-cluster"
DB_NAME = "pacetrack"
WORKERS = 2
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
CLUSTER_DIR = Path(os.environ.get("CLUSTER_DIR", "/tmp/pacetrack-cluster"))
STATE = CLUSTER_DIR / "pids.json"
# Logs outlive the cluster (the data directories are removed on the way down).
LOGS = ROOT / "var" / "cluster"
# Seconds a fault may take to show and to heal; short so the whole test takes minutes.
HEALTH_INTERVAL_MS = 1000


def _as_postgres() -> list[str]:
    # PostgreSQL refuses to run as root: its commands then run as the postgres user.
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class PgNode:
    """One PostgreSQL server (primary or hot standby) in a data directory of ours."""

    def __init__(self, name: str, port: int) -> None:
        self.name, self.port = name, port
        self.datadir = CLUSTER_DIR / name
        self.log = LOGS / f"{name}.log"

    def _run(self, *argv: str) -> None:
        subprocess.run([*_as_postgres(), *argv], check=True, capture_output=True)

    def initdb(self) -> None:
        self._run(
            str(PG_BIN / "initdb"),
            "-D",
            str(self.datadir),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
        )

    def basebackup(self, primary: PgNode) -> None:
        """A streaming replica of `primary` (-R writes primary_conninfo and standby.signal)."""
        self._run(
            str(PG_BIN / "pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            "postgres",
            "-D",
            str(self.datadir),
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
        )

    def start(self) -> None:
        require_port(self.port, f"PostgreSQL {self.name}")
        opts = (
            f"-p {self.port} -k {self.datadir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off -c max_connections=100 "
            "-c timezone=UTC -c hot_standby=on -c wal_level=replica -c max_wal_senders=5"
        )
        self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.datadir),
            "-l",
            str(self.log),
            "-w",
            "-t",
            "30",
            "-o",
            opts,
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        if (self.datadir / "postmaster.pid").exists():
            self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.datadir), "-m", mode, "-w", "stop")

    def sql(self, query: str, db: str = "postgres") -> str:
        return subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                db,
                "-At",
                "-c",
                query,
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=20,
        ).stdout.strip()


def pgbouncer_config(
    directory: Path = CLUSTER_DIR,
    *,
    port: int = PGBOUNCER_PORT,
    db_name: str = DB_NAME,
    server_port: int = PRIMARY_PORT,
) -> Path:
    """Transaction pooling in front of the primary; the replica is reached directly.
    `make bench` writes the same file in its own directory, in front of its database."""
    ini = directory / "pgbouncer.ini"
    users = directory / "userlist.txt"
    users.write_text('"postgres" ""\n')
    ini.write_text(
        f"""[databases]
{db_name} = host=127.0.0.1 port={server_port} dbname={db_name}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {users}
pool_mode = transaction
default_pool_size = 20
max_client_conn = 400
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
logfile = {directory / "pgbouncer.log"}
"""
    )
    return ini


def start_pgbouncer(
    procs: Processes,
    directory: Path = CLUSTER_DIR,
    *,
    port: int = PGBOUNCER_PORT,
    db_name: str = DB_NAME,
    logfile: Path | None = None,
) -> subprocess.Popen[bytes]:
    require_port(port, "PgBouncer")
    argv = ["pgbouncer", str(directory / "pgbouncer.ini")]
    if os.geteuid() == 0:
        argv[1:1] = ["-u", "postgres"]  # it refuses to run as root
    proc = procs.start("pgbouncer", argv, logfile=logfile or LOGS / "pgbouncer.out")
    deadline = time.monotonic() + 10
    while (
        subprocess.run(
            ["pg_isready", "-h", "127.0.0.1", "-p", str(port), "-d", db_name, "-q"],
            check=False,
        ).returncode
        != 0
    ):
        if time.monotonic() > deadline:
            raise SystemExit("PgBouncer did not start")
        time.sleep(0.2)
    return proc


def haproxy_config(
    directory: Path = CLUSTER_DIR,
    *,
    port: int = HAPROXY_PORT,
    app_ports: tuple[int, ...] = APP_PORTS,
    server_maxconn: int = 0,
) -> Path:
    """Round robin over the app instances, a /healthz/ check every second (liveness: a
    shared dependency down must not take every instance out, docs/scaling.md); the client
    address goes in X-Real-IP, which HAProxy always overwrites (TRUSTED_PROXIES).
    `server_maxconn` (e.g. the sync workers per instance) makes HAProxy queue the excess
    itself, so a saturated instance still answers its health check within the interval."""
    limit = f" maxconn {server_maxconn}" if server_maxconn else ""
    servers = "\n".join(
        f"    server app{n + 1} 127.0.0.1:{app} check{limit}" for n, app in enumerate(app_ports)
    )
    cfg = directory / "haproxy.cfg"
    cfg.write_text(
        f"""global
    maxconn 1000

defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    # A request that never reached an instance (connection refused) goes to another one.
    retries 3
    option redispatch
    retry-on conn-failure

frontend web
    bind 127.0.0.1:{port}
    http-request set-header X-Real-IP %[src]
    # One id per request, replacing any the client sent: the app logs it and answers
    # with it (REQUEST_ID_HEADER=X-Request-ID).
    unique-id-format %[uuid()]
    http-request set-header X-Request-ID %[unique-id]
    default_backend app

backend app
    balance roundrobin
    option httpchk
    http-check send meth GET uri /healthz/ hdr Host 127.0.0.1
    http-check expect status 200
    default-server inter {HEALTH_INTERVAL_MS} fall 2 rise 2
{servers}
"""
    )
    return cfg


def start_haproxy(
    procs: Processes,
    directory: Path = CLUSTER_DIR,
    *,
    port: int = HAPROXY_PORT,
    app_ports: tuple[int, ...] = APP_PORTS,
    server_maxconn: int = 0,
    logfile: Path | None = None,
) -> subprocess.Popen[bytes]:
    require_port(port, "HAProxy")
    cfg = haproxy_config(directory, port=port, app_ports=app_ports, server_maxconn=server_maxconn)
    subprocess.run(["haproxy", "-c", "-q", "-f", str(cfg)], check=True)
    proc = procs.start(
        "haproxy", ["haproxy", "-db", "-f", str(cfg)], logfile=logfile or LOGS / "haproxy.log"
    )
    wait_http(f"http://127.0.0.1:{port}/healthz/")
    return proc


def app_env(**extra: str) -> dict[str, str]:
    return production_env(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{PGBOUNCER_PORT}/{DB_NAME}",
        DATABASE_POOLER="pgbouncer",
        DATABASE_REPLICA_URL=f"postgres://postgres@127.0.0.1:{REPLICA_PORT}/{DB_NAME}",
        REDIS_CLUSTER_URL=cluster_url(REDIS_PORTS),
        REDIS_URL="",  # never the machine's own Redis (CI exports one)
        TRUSTED_PROXIES="127.0.0.1/32",
        CLIENT_IP_HEADER="X-Real-IP",
        REQUEST_ID_HEADER="X-Request-ID",  # set by HAProxy (haproxy_config)
        TASKS_BACKEND="database",
        # Emails are queued and sent by the two workers; the messages go nowhere.
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        STATIC_ROOT=str(CLUSTER_DIR / "static"),
        SITE_URL=f"http://127.0.0.1:{HAPROXY_PORT}",
        **s3_env(MOTO_PORT, BUCKET),
        **extra,
    )


@dataclass
class Cluster:
    procs: Processes = field(default_factory=Processes)
    primary: PgNode = field(default_factory=lambda: PgNode("primary", PRIMARY_PORT))
    replica: PgNode = field(default_factory=lambda: PgNode("replica", REPLICA_PORT))
    apps: dict[int, subprocess.Popen[bytes]] = field(default_factory=dict)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    redis: dict[int, subprocess.Popen[bytes]] = field(default_factory=dict)
    pgbouncer: subprocess.Popen[bytes] | None = None
    env: dict[str, str] = field(default_factory=dict)

    def up(self, *, seed: bool = True) -> None:
        if CLUSTER_DIR.exists():
            raise SystemExit(f"{CLUSTER_DIR} exists: run `make cluster-down` first")
        CLUSTER_DIR.mkdir(parents=True)
        shutil.rmtree(LOGS, ignore_errors=True)
        LOGS.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(LOGS, "postgres")  # the PostgreSQL logs are written as postgres
        if os.geteuid() == 0:
            shutil.chown(CLUSTER_DIR, "postgres")
        log("PostgreSQL primary")
        self.primary.initdb()
        self.primary.start()
        self.primary.sql(f"CREATE DATABASE {DB_NAME}")
        log("PostgreSQL streaming replica (pg_basebackup, hot standby)")
        self.replica.basebackup(self.primary)
        self.replica.start()
        log("PgBouncer (transaction pooling)")
        pgbouncer_config()
        self.pgbouncer = start_pgbouncer(self.procs)
        log("Redis Cluster: 3 masters, 3 replicas")
        self.redis = start_redis_cluster(
            self.procs, REDIS_PORTS, CLUSTER_DIR / "redis", logdir=LOGS
        )
        log("moto S3")
        start_moto(self.procs, port=MOTO_PORT, logfile=LOGS / "moto.log")
        s3_create_bucket(MOTO_PORT, BUCKET)
        self.env = app_env()
        log("migrate (on the primary), collectstatic")
        # Migrations take session-level locks and run long transactions: straight to the
        # primary, as a deploy would.
        manage(
            {
                **self.env,
                "DATABASE_URL": self.env["DATABASE_URL"].replace(
                    str(PGBOUNCER_PORT), str(PRIMARY_PORT)
                ),
                "DATABASE_POOLER": "",
            },
            "migrate",
            "--noinput",
        )
        manage(self.env, "collectstatic", "--noinput")
        for port in APP_PORTS:
            self.start_app(port)
        for n in range(WORKERS):
            self.start_worker(n)
        self.start_scheduler()
        log("HAProxy")
        start_haproxy(self.procs)
        self.save()

    def start_app(self, port: int) -> None:
        self.apps[port] = start_gunicorn(
            self.procs, port=port, env=self.env, logfile=LOGS / f"app-{port}.log"
        )

    def start_worker(self, n: int) -> None:
        argv = [str(BIN / "python"), "manage.py", "db_worker", "--interval", "0.5"]
        proc = self.procs.start(f"worker{n}", argv, env=self.env, logfile=LOGS / f"worker{n}.log")
        if n < len(self.workers):
            self.workers[n] = proc
        else:
            self.workers.append(proc)

    def start_scheduler(self) -> None:
        """`manage.py scheduler`: enqueues settings.SCHEDULE's jobs for the workers."""
        argv = [str(BIN / "python"), "manage.py", "scheduler"]
        self.procs.start("scheduler", argv, env=self.env, logfile=LOGS / "scheduler.log")

    def restart_redis_node(self, port: int) -> None:
        self.redis[port] = start_node(self.procs, port, CLUSTER_DIR / "redis", LOGS)

    def restart_pgbouncer(self) -> None:
        if self.pgbouncer is not None:
            self.procs.stop(self.pgbouncer)
        self.pgbouncer = start_pgbouncer(self.procs)

    def save(self) -> None:
        pids = {name: proc.pid for name, proc in self.procs.procs if proc.poll() is None}
        STATE.write_text(json.dumps({"pids": pids, "env": self.env}, indent=1))

    def down(self) -> None:
        self.procs.stop_all()
        for node in (self.replica, self.primary):
            try:
                node.stop("immediate")
            except subprocess.CalledProcessError:
                log(f"PostgreSQL {node.name} did not stop cleanly")
        shutil.rmtree(CLUSTER_DIR, ignore_errors=True)


def down_from_state() -> None:
    """`make cluster-down`: stop what `make cluster` recorded, by pid."""
    if STATE.exists():
        for name, pid in json.loads(STATE.read_text())["pids"].items():
            try:
                os.killpg(pid, signal.SIGTERM)  # the process group we made for it only
                log(f"stopped {name} ({pid})")
            except ProcessLookupError:
                pass
    for name, port in (("replica", REPLICA_PORT), ("primary", PRIMARY_PORT)):
        try:
            PgNode(name, port).stop("immediate")
        except subprocess.CalledProcessError:
            log(f"PostgreSQL {name} did not stop cleanly")
    shutil.rmtree(CLUSTER_DIR, ignore_errors=True)


__all__ = ["ROOT", "Cluster", "down_from_state"]
