"""`make cluster`, `make cluster-down`, `make cluster-test`: Pacetrack on HAProxy,
PgBouncer, a PostgreSQL primary and streaming replica and a Redis Cluster, on
loopback, started by these scripts (no Docker). See docs/scaling.md."""
