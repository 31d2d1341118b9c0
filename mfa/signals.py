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
