"""What the two lookups every signed-in tenant page makes cost: ORM against prebuilt SQL.

core/prebuilt_sql.py exists because compiling these `select_related(...).get(...)`
queries costs the ORM more than PostgreSQL needs to answer them. This measures both
ways in-process, on the same rows, so docs/performance.md can cite a command:

    python -m bench.lookup_cost [N]     # `make bench` runs it and prints the result

Needs the configured database to hold at least one live session with a membership
(bench/prepare.py makes them; `manage.py seed_demo` plus one sign-in also does).
Prints JSON: median milliseconds per lookup for each way.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable

from bench.seed import setup_django


def _median_ms(fn: Callable[[], object], n: int) -> float:
    for _ in range(50):  # warm-up: connection, psycopg's prepare, Django's caches
        fn()
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(samples), 3)


def main(n: int) -> dict[str, float]:
    setup_django()
    from sessions_app.models import Session
    from sessions_app.selectors import session_with_user_get
    from tenants.models import Membership
    from tenants.selectors import membership_for_request

    membership = (
        Membership.objects.filter(tenant__deleted_at__isnull=True, user__sessions__isnull=False)
        .select_related("tenant", "user")
        .first()
    )
    if membership is None:
        sys.exit("No session with a membership in this database: run bench/prepare.py first.")
    session = Session.objects.filter(user=membership.user).first()
    if session is None:
        sys.exit("No session for that member: run bench/prepare.py first.")
    user, slug, token_hash = membership.user, membership.tenant.slug, session.token_hash
    return {
        "session_orm_ms": _median_ms(
            lambda: Session.objects.select_related("user").get(token_hash=token_hash), n
        ),
        "session_prebuilt_ms": _median_ms(lambda: session_with_user_get(token_hash=token_hash), n),
        "membership_orm_ms": _median_ms(
            lambda: Membership.objects.select_related("tenant", "role", "tenant__account").get(
                user=user, tenant__slug=slug, tenant__deleted_at__isnull=True
            ),
            n,
        ),
        "membership_prebuilt_ms": _median_ms(
            lambda: membership_for_request(user=user, slug=slug), n
        ),
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)))
