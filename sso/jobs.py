"""Periodic jobs of sso, named in settings.SCHEDULE (see `scheduler`)."""

from __future__ import annotations

from sso.services_domains import domains_recheck
from sso.services_saml import saml_metadata_refresh_all


class MetadataRefreshIncomplete(Exception):
    """Some IdPs' metadata could not be read again: the run is recorded as failed, with
    the whole report as its outcome (their stored metadata is kept)."""


def domains_reverify() -> str:
    checked, lost = domains_recheck()
    return f"{checked} domain(s) checked, {lost} lost their verification."


def saml_metadata_refresh() -> str:
    results = saml_metadata_refresh_all()
    changed = [r for r in results if r.changed]
    failed = [r for r in results if r.error]
    lines = [
        f"Read {len(results)} SAML metadata URL(s): {len(changed)} changed, {len(failed)} failed.",
        *(r.describe() for r in changed + failed),
    ]
    if failed:
        raise MetadataRefreshIncomplete("\n".join(lines))
    return "\n".join(lines)
