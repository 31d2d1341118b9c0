"""`make cluster-down`: stop what `make cluster` started, by pid."""

from __future__ import annotations

from cluster.topology import down_from_state

if __name__ == "__main__":
    down_from_state()
