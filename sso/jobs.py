"""Periodic jobs of sso, named in settings.SCHEDULE (see `scheduler`)."""

from __future__ import annotations

from sso.services_domains import domains_recheck
from sso.services_saml import saml_metadata_refresh_all
from sso.services_saml_certificate import saml_certificates_check


class MetadataRefreshIncomplete(Exception):
    """Some IdPs' metadata could not be read again: the run is recorded as failed, with
    the whole report as its outcome (their stored metadata is kept)."""


def domains_reverify() -> str:
    checked, lost = domains_recheck()
    return f"{checked} domain(s) checked, {lost} lost their verification."


def saml_metadata_refresh() -> str:
    """Read the metadata URLs again, then warn of certificates ending (those just read
    included, uploaded ones too)."""
    results = saml_metadata_refresh_all()
    warned = saml_certificates_check()
    changed = [r for r in results if r.changed]
    failed = [r for r in results if r.error]
    lines = [
        f"Read {len(results)} SAML metadata URL(s): {len(changed)} changed, {len(failed)} failed.",
        *(r.describe() for r in changed + failed),
        f"Told the owners of {len(warned)} organisation(s) that their IdP certificate ends.",
        *(w.describe() for w in warned),
    ]
    if failed:
        raise MetadataRefreshIncomplete("\n".join(lines))
    return "\n".join(lines)
