"""Email an organisation's owners about something only they can fix.

The apps above tenancy (SSO's daily checks) tell the owners when something breaks
without anyone pressing a button: the identity provider's metadata cannot be read, a
domain lost its verification. Who counts as an owner is `owner_emails`' rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accounts.mail import email_enqueue
from tenants.selectors import owner_emails

if TYPE_CHECKING:
    from tenants.models import Tenant


def owners_notify(*, tenant: Tenant, template: str, context: dict[str, Any]) -> None:
    """Queue `template` to the tenant's owners (not suspended ones), with the tenant's
    name as `tenant_name`; nothing when it has none. In the caller's transaction."""
    owners = owner_emails(tenant=tenant)
    if owners:
        email_enqueue(to=owners, template=template, context={"tenant_name": tenant.name, **context})
