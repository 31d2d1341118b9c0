"""`make cluster`: start the topology and leave it running (docs/scaling.md)."""

from __future__ import annotations

from bench.lib import log, manage
from cluster.topology import HAPROXY_PORT, STATE, Cluster

if __name__ == "__main__":
    cluster = Cluster()
    try:
        cluster.up()
        # The demo users (owner@pacetrack.test…), to sign in through HAProxy.
        manage(cluster.env, "seed_demo", "--force")
    except BaseException:
        cluster.down()
        raise
    log(f"up: http://127.0.0.1:{HAPROXY_PORT}/ (pids and env in {STATE})")
    log("`make cluster-down` stops it")
