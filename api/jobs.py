"""Periodic jobs of api, named in settings.SCHEDULE (see `scheduler`)."""

from __future__ import annotations

from api.expiry import api_keys_expiring_notify


def api_keys_expiring() -> str:
    announced = api_keys_expiring_notify()
    lines = [f"Told {len(announced)} organisation(s) of an API key expiring within a week."]
    lines += [
        f"{key.tenant.name} (#{key.tenant_id}): {key.name} expires {key.expires_at:%Y-%m-%d}"
        for key in announced
        if key.expires_at is not None
    ]
    return "\n".join(lines)
