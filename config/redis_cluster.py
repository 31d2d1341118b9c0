"""django-redis on a Redis Cluster through redis-py's own cluster client.

django-redis (7.x) has no cluster client, and Django's built-in RedisCache has none
either. redis-py's `redis.cluster.RedisCluster` is maintained with redis-py: it finds
the slots, follows MOVED/ASK redirections and a failover, and routes EVAL/EVALSHA by
their key. These two classes only hand it to django-redis (docs/scaling.md):

- `ClusterConnectionFactory` builds one `RedisCluster` per process from the
  startup nodes in `LOCATION` (`redis://h1:p1,redis://h2:p2,…`), instead of one
  single-node pool per URL;
- `ClusterClient` treats that list as one server (django-redis would read the later
  URLs as read replicas) and reads many keys with `mget_nonatomic`, as a plain MGET
  across slots is refused by a cluster.

The rate limiter keeps working unchanged: its keys are hash-tagged (`rl:{tier:id}`),
so every check is one EVALSHA on one slot.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.core.cache.backends.base import BaseCache
from django_redis.client import DefaultClient
from django_redis.exceptions import ConnectionInterrupted
from django_redis.pool import ConnectionFactory
from redis.cluster import ClusterNode, RedisCluster
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisClusterException, RedisError


class ClusterUnavailable(ConnectionInterrupted, RedisConnectionError):
    """A part of the cluster that cannot be reached is an unreachable Redis.

    redis-py raises RedisClusterException (not a RedisError) while slots are not
    covered, e.g. between a master's death and its replica's promotion, and a new
    RedisCluster connects in its constructor, outside django-redis's error handling.
    As a ConnectionInterrupted the cache treats it as a miss (IGNORE_EXCEPTIONS); as a
    redis ConnectionError the rate limiter applies each tier's fail policy and any
    other caller gets the 503 page. Without it, the failover window is 500 pages.
    """

    def __init__(self, message: str) -> None:
        ConnectionInterrupted.__init__(self, connection=None)
        RedisConnectionError.__init__(self, message)

    def __str__(self) -> str:
        return RedisConnectionError.__str__(self)


class _RedisCluster(RedisCluster):
    def execute_command(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().execute_command(*args, **kwargs)
        except RedisClusterException as exc:
            raise ClusterUnavailable(f"Redis Cluster unavailable: {exc}") from exc


class ClusterConnectionFactory(ConnectionFactory):
    # Per process, like ConnectionFactory._pools: Django makes a client per request.
    _clusters: dict[str, RedisCluster] = {}

    def connect(self, url: str) -> RedisCluster:
        cluster = self._clusters.get(url)
        if cluster is None:
            try:
                cluster = self._clusters[url] = self._cluster(url)
            except (RedisError, RedisClusterException) as exc:
                raise ClusterUnavailable(f"Redis Cluster unavailable: {exc}") from exc
        return cluster

    def _cluster(self, url: str) -> RedisCluster:
        nodes = [urlsplit(u.strip()) for u in url.split(",") if u.strip()]
        first = nodes[0]
        return _RedisCluster(
            startup_nodes=[ClusterNode(n.hostname or "127.0.0.1", n.port or 6379) for n in nodes],
            username=first.username or None,
            password=first.password or self.options.get("PASSWORD"),
            socket_timeout=self.options.get("SOCKET_TIMEOUT"),
            socket_connect_timeout=self.options.get("SOCKET_CONNECT_TIMEOUT"),
        )

    def disconnect(self, connection: Any) -> None:
        # The cluster client owns its connections; closing it here would close them
        # for every other request of this process.
        return None


class ClusterClient(DefaultClient):
    def __init__(self, server: str, params: dict[str, Any], backend: BaseCache) -> None:
        super().__init__(server, params, backend)
        self._server = [server if isinstance(server, str) else ",".join(server)]
        self._clients = [None]

    def get_many(self, keys: Any, version: int | None = None, client: Any = None) -> dict[Any, Any]:
        if client is None:
            client = self.get_client(write=False)
        keys = list(keys)
        if not keys:
            return {}
        made = [self.make_key(k, version=version) for k in keys]
        try:
            values = client.mget_nonatomic(made)
        except RedisError as exc:  # IGNORE_EXCEPTIONS turns this into a miss
            raise ConnectionInterrupted(connection=client) from exc
        return {k: self.decode(v) for k, v in zip(keys, values, strict=True) if v is not None}
