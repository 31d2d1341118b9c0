"""Email an organisation's owners about something only they can fix.

The apps above tenancy (SSO's daily checks) tell the owners when something breaks
without anyone pressing a button: the identity provider's metadata cannot be read, a
domain lost its verification. Who counts as an owner is `owner_emails`' rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from accounts.mail import email_enqueue
from tenants.selectors import owner_emails

if TYPE_CHECKING:
    from tenants.models import Tenant


def owners_notify(
    *, tenant: Tenant, template: str, context: dict[str, Any], also: Iterable[str] = ()
) -> None:
    """Queue `template` to the tenant's owners (not suspended ones) and `also` (someone
    the notice concerns, once even if an owner), with the tenant's name as
    `tenant_name`; nothing when nobody is left. In the caller's transaction."""
    to = list(dict.fromkeys([*owner_emails(tenant=tenant), *also]))
    if to:
        email_enqueue(to=to, template=template, context={"tenant_name": tenant.name, **context})
