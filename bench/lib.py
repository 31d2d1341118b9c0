"""Process and measurement helpers shared by `make bench` and `make soak`.

Everything runs on loopback. Processes started here are tracked and stopped by
their own pid (never by name), so other people's servers on the machine are safe.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LUA = ROOT / "bench" / "lua" / "requests.lua"
RESULTS = ROOT / "bench" / "results"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def require_port(port: int, what: str) -> None:
    if not port_free(port):
        raise SystemExit(f"port {port} ({what}) is in use; stop whatever listens there first")


def production_env(**extra: str) -> dict[str, str]:
    """Production settings for a loopback run: DEBUG off, strong secrets made for this
    run only. Plain-http loopback is the one place where the SSL redirect and secure
    (so `__Host-`) session and CSRF cookies are turned off."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "SESSION_SECRET": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, quiet: bool = True) -> None:
    subprocess.run(
        [str(BIN / "python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def python_module(env: dict[str, str], module: str, *args: str) -> str:
    """Run `python -m module` with this env; its stdout is returned (and stderr shown)."""
    proc = subprocess.run(
        [str(BIN / "python"), "-m", module, *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return proc.stdout


class Processes:
    """Children started by this run; stopped by pid, in reverse order."""

    def __init__(self) -> None:
        self.procs: list[tuple[str, subprocess.Popen]] = []

    def start(
        self,
        name: str,
        argv: list[str],
        env: dict[str, str] | None = None,
        logfile: Path | None = None,
    ) -> subprocess.Popen:
        out = open(logfile, "ab") if logfile else subprocess.DEVNULL  # noqa: SIM115
        proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs.append((name, proc))
        return proc

    def stop(self, proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 10) -> None:
        if proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)  # the process group we created for this child only
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)

    def stop_all(self) -> None:
        for _name, proc in reversed(self.procs):
            self.stop(proc)
        self.procs.clear()


def wait_http(url: str, timeout: float = 30, ok: tuple[int, ...] = (200,)) -> None:
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 - loopback
                if resp.status in ok:
                    return
                last = resp.status
        except urllib.error.HTTPError as exc:
            if exc.code in ok:
                return
            last = exc.code
        except OSError as exc:
            last = exc
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer in {timeout}s (last: {last})")


def start_gunicorn(
    procs: Processes,
    *,
    port: int,
    env: dict[str, str],
    logfile: Path,
    workers: int = 2,
    ready_path: str = "/healthz/",
) -> subprocess.Popen:
    """Two sync workers: on 2 cores, more were slower (docs/performance.md)."""
    require_port(port, "gunicorn")
    proc = procs.start(
        f"gunicorn:{port}",
        [
            str(BIN / "gunicorn"),
            "--config",
            "config/gunicorn.conf.py",  # preload + gc.freeze(), as in production
            "config.wsgi",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--access-logfile",
            "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
            "--error-logfile",
            "-",
        ],
        env=env,
        logfile=logfile,
    )
    wait_http(f"http://127.0.0.1:{port}{ready_path}")
    return proc


def _stat_cpu_ticks(proc: Path) -> int:
    """utime + stime of /proc/<pid>. Fields after the ")" that closes the command name:
    state is field 3, so utime (14) and stime (15) are at 11 and 12."""
    fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def workers_cpu_seconds(master_pid: int) -> float:
    """User + system CPU time so far of a gunicorn master's workers (its children), read
    from /proc: the app's own CPU per request is its delta over a wrk run divided by the
    requests served, a figure that stays readable when req/s is noisy."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    ticks = sum(_stat_cpu_ticks(Path(f"/proc/{child}")) for child in children)
    return ticks / os.sysconf("SC_CLK_TCK")


def processes_cpu_seconds(command: str) -> float:
    """User + system CPU time so far of every process whose command name is `command`
    (e.g. "postgres": the server and all its backends), read from /proc. Processes that
    exit in between are lost, so only a delta over a run with steady connections means
    anything."""
    ticks = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if (proc / "comm").read_text().strip() == command:
                ticks += _stat_cpu_ticks(proc)
        except OSError:  # gone meanwhile
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


def start_moto(procs: Processes, *, port: int, logfile: Path) -> subprocess.Popen:
    require_port(port, "moto S3")
    proc = procs.start(
        "moto", [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)], logfile=logfile
    )
    wait_http(f"http://127.0.0.1:{port}/moto-api/", timeout=30)
    return proc


def s3_env(port: int, bucket: str = "pacetrack-bench") -> dict[str, str]:
    return {
        "S3_ENDPOINT": f"http://127.0.0.1:{port}",
        "S3_BUCKET": bucket,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY": "bench",
        "S3_SECRET_KEY": "bench",
        "S3_ADDRESSING_STYLE": "path",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
    }


def s3_create_bucket(port: int, bucket: str) -> None:
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )
    client.create_bucket(Bucket=bucket)


@dataclass
class WrkResult:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    non2xx3xx: int
    socket_errors: int


def write_requests(lines: list[tuple[str, str, dict[str, str], str]]) -> Path:
    """Write a request list for bench/lua/requests.lua (method, path, headers, body)."""
    fd, name = tempfile.mkstemp(prefix="bench-", suffix=".tsv")
    with os.fdopen(fd, "w") as f:
        for method, path, headers, body in lines:
            header = "|".join(f"{k}: {v}" for k, v in headers.items())
            f.write(f"{method}\t{path}\t{header}\t{body}\n")
    return Path(name)


def wrk(
    name: str,
    *,
    port: int,
    requests_file: Path,
    seconds: int,
    connections: int = 32,
    threads: int = 2,
) -> WrkResult:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    env = {**os.environ, "BENCH_REQUESTS": str(requests_file)}
    proc = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(LUA),
            f"http://127.0.0.1:{port}",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    line = next((x for x in proc.stdout.splitlines() if x.startswith("BENCHJSON ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no summary:\n{proc.stdout}\n{proc.stderr}")
    data = json.loads(line.removeprefix("BENCHJSON "))
    seconds_run = data["duration_us"] / 1e6
    return WrkResult(
        name=name,
        rps=data["requests"] / seconds_run if seconds_run else 0.0,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        requests=data["requests"],
        non2xx3xx=data["non2xx3xx"],
        socket_errors=data["socket_errors"],
    )


@contextmanager
def temp_dir(prefix: str) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
