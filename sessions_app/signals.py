"""What session changes tell the apps above sessions_app.

Sent inside the service's transaction, so a receiver's writes are rolled back with it.
"""

from django.dispatch import Signal

# Sent with: user, reason (a Session.RevokedReason code), acting_user (who did it, when
# not the person themselves or the system; may be None), when every session of a person
# but perhaps the current one was revoked: a password changed or reset, "Sign out all
# other devices", an operator's or SCIM's sign-out, an account deleted. mfa forgets the
# person's trusted browsers, which would otherwise sign in again without a second step.
other_sessions_revoked = Signal()

# Sent with: session (the row), reason (a Session.RevokedReason code), acting_user, when
# one session was revoked (its device signed out from another, the admin, a sign-out, a
# rotation). mfa forgets the browser trust that session signed in on or gave.
session_revoked = Signal()
