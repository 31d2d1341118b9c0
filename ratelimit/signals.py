"""What rate limiting tells the apps above it.

Ratelimit sits below accounts: it cannot email anyone itself, so it says what
happened and accounts answers (accounts/apps.py connects the receiver).
"""

from django.dispatch import Signal

# Sent when a failed sign-in used up an account's budget, with: email (as typed,
# normalised), minutes (how long sign-in from new devices is paused). At most once
# an hour per account (the auth-notice tier).
sign_in_paused = Signal()
