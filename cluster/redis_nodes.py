"""A Redis Cluster of our own: `redis-server --cluster-enabled` nodes joined with
`redis-cli --cluster create`."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

from bench.lib import Processes, require_port

# Short, so that a failover is visible within a few-minute test (default 15 s).
NODE_TIMEOUT_MS = 1500


def redis_cli(port: int, *args: str) -> str:
    return subprocess.run(
        ["redis-cli", "-h", "127.0.0.1", "-p", str(port), *args],
        check=True,
        capture_output=True,
        text=True,
        timeout=10,
    ).stdout.strip()


def cluster_ok(port: int) -> bool:
    try:
        return "cluster_state:ok" in redis_cli(port, "CLUSTER", "INFO")
    except (subprocess.SubprocessError, OSError):
        return False


def start_node(
    procs: Processes, port: int, workdir: Path, logdir: Path | None = None
) -> subprocess.Popen[bytes]:
    require_port(port, "redis cluster node")
    require_port(port + 10000, "redis cluster bus")
    proc = procs.start(
        f"redis:{port}",
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            str(workdir / f"nodes-{port}.conf"),
            "--cluster-node-timeout",
            str(NODE_TIMEOUT_MS),
            "--dir",
            str(workdir),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        logfile=(logdir or workdir) / f"redis-{port}.log",
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"redis-server on {port} did not start")


def start_redis_cluster(
    procs: Processes,
    ports: list[int],
    workdir: Path,
    *,
    replicas: int = 1,
    logdir: Path | None = None,
) -> dict[int, subprocess.Popen[bytes]]:
    """Start the nodes and create the cluster (`replicas` replicas per master)."""
    workdir.mkdir(parents=True, exist_ok=True)
    nodes = {port: start_node(procs, port, workdir, logdir) for port in ports}
    subprocess.run(
        [
            "redis-cli",
            "--cluster",
            "create",
            *[f"127.0.0.1:{p}" for p in ports],
            "--cluster-replicas",
            str(replicas),
            "--cluster-yes",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    deadline = time.monotonic() + 30
    while not all(cluster_ok(p) for p in ports):
        if time.monotonic() > deadline:
            raise SystemExit("the Redis Cluster did not reach cluster_state:ok")
        time.sleep(0.2)
    return nodes


def cluster_url(ports: list[int]) -> str:
    return ",".join(f"redis://127.0.0.1:{p}" for p in ports)


def masters(port: int) -> dict[int, str]:
    """Master port -> node id, as node `port` sees the cluster."""
    found = {}
    for line in redis_cli(port, "CLUSTER", "NODES").splitlines():
        node_id, addr, flags = line.split()[:3]
        if "master" in flags and "fail" not in flags:
            found[int(addr.split("@")[0].rsplit(":", 1)[1])] = node_id
    return found
