"""Print the row counts the benchmark ran against (one line)."""

from __future__ import annotations

import sys

from bench.seed import setup_django


def main() -> int:
    setup_django()
    from django.apps import apps
    from django.db import connection

    tables = {
        "users": "accounts.User",
        "tenants": "tenants.Tenant",
        "memberships": "tenants.Membership",
        "Pacetrack sessions": "sessions_app.Session",
        "stock django_session rows": "sessions.Session",
    }
    parts = []
    with connection.cursor() as cursor:
        for label, dotted in tables.items():
            try:
                model = apps.get_model(dotted)
            except LookupError:
                parts.append(f"{label}: n/a")
                continue
            cursor.execute(f"SELECT count(*) FROM {model._meta.db_table}")  # noqa: S608
            parts.append(f"{cursor.fetchone()[0]:,} {label}")
    print(", ".join(parts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
