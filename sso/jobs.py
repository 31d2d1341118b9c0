"""Periodic jobs of sso, named in settings.SCHEDULE (see `scheduler`)."""

from __future__ import annotations

from sso.services_domains import domains_recheck


def domains_reverify() -> str:
    checked, lost = domains_recheck()
    return f"{checked} domain(s) checked, {lost} lost their verification."
