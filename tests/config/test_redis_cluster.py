"""The cache and the rate limiter on a real Redis Cluster (config/redis_cluster.py).

Three `redis-server --cluster-enabled` masters on loopback ports, joined with
`redis-cli --cluster create`: keys land in different slots on different nodes, so
a client that is not cluster-aware gets MOVED or CROSSSLOT answers here.
"""

from __future__ import annotations

import random
import shutil
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import caches
from redis.cluster import RedisCluster
from redis.crc import key_slot

from bench.lib import Processes
from cluster.redis_nodes import cluster_ok, cluster_url, start_redis_cluster
from config.redis_cluster import ClusterConnectionFactory
from ratelimit.backends.redis import RedisBackend
from ratelimit.exceptions import BackendUnavailable
from ratelimit.keys import counter_key

pytestmark = pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")


def _free_ports(count: int) -> list[int]:
    """Ports free for a node and its cluster bus (port + 10000), from a random point in
    17100–17599: two suites started together (`make test` beside `.ci/run`) would
    otherwise both find 17100 free before either node binds it."""
    ports: list[int] = []
    start = random.randrange(500)
    for offset in range(500):
        if len(ports) == count:
            break
        candidate = 17100 + (start + offset) % 500
        pair = []
        for port in (candidate, candidate + 10000):
            with socket.socket() as sock:
                try:
                    sock.bind(("127.0.0.1", port))
                    pair.append(port)
                except OSError:
                    break
        if len(pair) == 2:
            ports.append(candidate)
    return ports


@pytest.fixture(scope="module")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    procs = Processes()
    ports = _free_ports(3)
    try:
        start_redis_cluster(procs, ports, Path(tmp_path_factory.mktemp("redis")), replicas=0)
        yield cluster_url(ports)
    finally:
        procs.stop_all()


@pytest.fixture
def cluster_cache(redis_cluster: str, settings: Any) -> Iterator[Any]:
    settings.CACHES = {
        **settings.CACHES,
        "cluster": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": redis_cluster,
            "KEY_PREFIX": "t",
            "OPTIONS": {
                "CLIENT_CLASS": "config.redis_cluster.ClusterClient",
                "CONNECTION_FACTORY": "config.redis_cluster.ClusterConnectionFactory",
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
                "IGNORE_EXCEPTIONS": True,
            },
        },
    }
    settings.RATELIMIT_CACHE_ALIAS = "cluster"
    cache = caches["cluster"]
    yield cache
    cache.clear()


def test_the_cache_reads_and_writes_keys_on_every_node(cluster_cache: Any) -> None:
    keys = [f"key-{i}" for i in range(30)]
    cluster_cache.set_many({k: {"n": i} for i, k in enumerate(keys)}, timeout=60)
    assert cluster_cache.get("key-7") == {"n": 7}
    assert cluster_cache.get_many(keys) == {k: {"n": i} for i, k in enumerate(keys)}
    cluster_cache.delete_many(keys[:10])
    assert cluster_cache.get_many(keys[:12]) == {"key-10": {"n": 10}, "key-11": {"n": 11}}
    assert len({cluster_cache.client.get_client().keyslot(f"t:1:{k}") for k in keys}) > 3


def test_the_client_is_one_cluster_client_per_process(cluster_cache: Any) -> None:
    client = cluster_cache.client.get_client(write=True)
    assert isinstance(client, RedisCluster)
    assert client is cluster_cache.client.get_client(write=False)
    assert len(client.get_primaries()) == 3


def test_a_limit_check_is_one_script_on_one_slot(cluster_cache: Any) -> None:
    backend = RedisBackend()
    key = "rl:{pages:user:42}"
    first = backend.hit(key=key, limit=2, window_ms=60_000, now_ms=1_000_000)
    second = backend.hit(key=key, limit=2, window_ms=60_000, now_ms=1_000_001)
    third = backend.hit(key=key, limit=2, window_ms=60_000, now_ms=1_000_002)
    assert (first.allowed, second.allowed, third.allowed) == (True, True, False)
    assert backend.release(key=key, hit_ms=1_000_001)
    assert backend.hit(key=key, limit=2, window_ms=60_000, now_ms=1_000_003).allowed


def test_limiter_keys_hash_to_their_tag_whatever_the_prefix(settings: Any) -> None:
    settings.RATELIMIT_KEY_PREFIX = "another-app:"
    key = counter_key("auth", "203.0.113.7")
    assert key_slot(key.encode()) == key_slot(b"auth:203.0.113.7")


@pytest.fixture
def broken_cluster(tmp_path: Path, settings: Any) -> Iterator[tuple[Any, Processes, int]]:
    """A cluster of its own, whose first master the test kills."""
    procs = Processes()
    ports = _free_ports(3)
    try:
        nodes = start_redis_cluster(procs, ports, tmp_path, replicas=0)
        settings.CACHES = {
            **settings.CACHES,
            "broken": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": cluster_url(ports),
                "OPTIONS": {
                    "CLIENT_CLASS": "config.redis_cluster.ClusterClient",
                    "CONNECTION_FACTORY": "config.redis_cluster.ClusterConnectionFactory",
                    "SOCKET_CONNECT_TIMEOUT": 0.5,
                    "SOCKET_TIMEOUT": 0.5,
                    "IGNORE_EXCEPTIONS": True,
                },
            },
        }
        settings.RATELIMIT_CACHE_ALIAS = "broken"
        yield caches["broken"], procs, ports[0]
        del nodes
    finally:
        procs.stop_all()


def test_a_dead_master_is_a_cache_miss_and_an_unavailable_limiter(
    broken_cluster: tuple[Any, Processes, int],
) -> None:
    cache, procs, dead_port = broken_cluster
    client = cache.client.get_client()
    key = next(
        f"k{i}"
        for i in range(10_000)
        if client.nodes_manager.get_node_from_slot(client.keyslot(f":1:k{i}")).port == dead_port
    )
    cache.set(key, "v", timeout=60)
    assert cache.get(key) == "v"
    victim = next(p for name, p in procs.procs if name == f"redis:{dead_port}")
    procs.stop(victim, sig=signal.SIGKILL)
    # Not a RedisClusterException reaching the view (a 500): a miss, and the limiter's
    # fail policy (the slot of "rl:{...}" below lives on the dead node too).
    assert cache.get(key) is None
    limiter_key = next(
        f"rl:{{pages:user:{i}}}"
        for i in range(10_000)
        if client.nodes_manager.get_node_from_slot(client.keyslot(f"rl:{{pages:user:{i}}}")).port
        == dead_port
    )
    with pytest.raises(BackendUnavailable):
        RedisBackend().hit(key=limiter_key, limit=5, window_ms=60_000, now_ms=1)
    # Once the cluster has marked the node failed, its slots are not covered: a process
    # that connects now gets RedisClusterException from redis-py, in the constructor.
    survivor = next(p for name, p in procs.procs if name != f"redis:{dead_port}")
    survivor_port = int(next(n for n, p in procs.procs if p is survivor).split(":")[1])
    deadline = time.monotonic() + 30
    while cluster_ok(survivor_port):
        assert time.monotonic() < deadline, "the cluster never noticed the dead master"
        time.sleep(0.1)
    ClusterConnectionFactory._clusters.clear()
    del cache.client._clients[:]  # this process starts over, like a new worker
    cache.client._clients.append(None)
    assert cache.get(key) is None
    with pytest.raises(BackendUnavailable):
        RedisBackend().hit(key=limiter_key, limit=5, window_ms=60_000, now_ms=1)
