"""The seam to single sign-on (issue 16's `sso` app), which is not merged yet.

`sso_required_check` asks "does this organisation require SSO for this person?"
(it owns their email domain and requires SSO). A receiver returns True to say so;
with no receiver, or none saying True, the answer is False. When it is True a
deprovisioning ends *every* session of the person, not only those working in this
organisation. Connect it in the sso app's `AppConfig.ready()`:

    scim.signals.sso_required_check.connect(receiver, dispatch_uid="sso.scim")

(If `sso` ends up in a layer below `scim`, call its selector from `sso_required`
below instead: a higher layer may import a lower one directly.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.dispatch import Signal

if TYPE_CHECKING:
    from accounts.models import User
    from tenants.models import Tenant

# Sent with tenant=, user=; a receiver returns a bool.
sso_required_check = Signal()


def sso_required(*, tenant: Tenant, user: User) -> bool:
    """Whether any receiver says this organisation requires SSO for this person."""
    answers: list[tuple[Any, object]] = list(
        sso_required_check.send(sender=None, tenant=tenant, user=user)
    )
    return any(answer is True for _, answer in answers)
