"""What two-factor changes tell the apps above mfa.

mfa sits below accounts: it cannot email anyone itself, so its services say what
changed and accounts answers with the notice email (accounts/apps.py connects the
receiver). Sent inside the service's transaction, so the email is queued with the
change and dropped with it on a rollback.
"""

from django.dispatch import Signal

# Sent with: user, action (an MfaAction code), detail (a short sentence naming what
# changed, e.g. the passkey's name; may be ""). Every change of a person's second
# factors sends it, including a recovery code used to sign in.
two_factor_changed = Signal()

# Sent with: user, enabled (bool), when a person's two-factor sign-in turns on (their
# first app or passkey) or off (the last one removed, or an operator's reset).
# Tenancy audits it in the organisations that require two-factor authentication.
two_factor_state_changed = Signal()

# Sent with: user, before removing a person's last second factor. Each receiver returns
# the names of what requires it to stay (tenancy: the organisations that require it);
# any name refuses the removal. An operator's reset does not ask.
two_factor_removal_check = Signal()

# Sent with: user, minutes, when wrong codes from browsers that never signed in to the
# account used up its budget: codes from new devices are paused for up to `minutes`.
# Whoever typed them knew the password; accounts emails the owner (at most hourly).
second_factor_paused = Signal()

# Sent by the security page with: request. Each receiver returns HTML for a section of
# the page (sso: the connected Google, Microsoft and GitHub accounts).
security_page_sections = Signal()
