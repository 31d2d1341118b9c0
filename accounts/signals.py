"""What an account's life asks of the apps above accounts.

Accounts sits below tenancy, sessions' users and uploads: it cannot call them, so
it asks through these signals and they answer from their own receivers (connected
in their `AppConfig.ready()`). Each is sent inside the service's transaction, so a
receiver's writes commit or roll back with the account's, and a receiver that
raises aborts the whole action.
"""

from django.dispatch import Signal

# Sent by user_signup with: user. Tenancy gives the new person their personal workspace.
user_signed_up = Signal()

# Sent by account_deletion_blockers with: user. Each receiver returns a list of what
# stops the deletion (tenancy: the live orgs the person is the only owner of).
account_deletion_check = Signal()

# Sent by account_delete with: user, before sessions are revoked and the user is
# deactivated. Each receiver removes what its app holds for the person.
account_deleting = Signal()

# Sent by account_deactivate with: user, before sessions are revoked and the user is
# deactivated. Tenancy passes the person's contact roles to an owner who can act.
account_deactivating = Signal()

# Sent by account_export with: user. Each receiver returns {section name: JSON-able data}.
account_export_requested = Signal()

# Sent by accounts.http.sign_in_refusal with: user, method ("password", "passkey"),
# request, once the credential is right and before anyone is signed in. Each receiver
# returns a sentence refusing the sign-in, or None (sso: an organisation requiring its
# IdP; an owner's break-glass password sign-in is let through and audited there).
sign_in_check = Signal()

# Sent by the sign-in and sign-up pages with: request, next_url. Each receiver returns
# HTML to show under the form (sso: the provider buttons and "Continue with SSO").
sign_in_page_options = Signal()

# Sent by the re-authentication prompt with: request, next_url (where to go once
# confirmed). Each receiver returns HTML for other ways to confirm (sso: the connected
# providers and the organisation's IdP, for people who have no password).
reauth_page_options = Signal()

# Sent by unproven_address_claimed with: user, once the address's owner proved it on an
# account nobody had proven it for. Each receiver removes the ways in its app let the
# account's maker attach, and returns {audit key: how many} (sso: connected providers).
unproven_address_claimed = Signal()

# Sent by the email services with: user, old_email, once the account's address changed
# (the person's own change, or staff's in the admin). Tenancy has the payment provider
# told where receipts go now, for the workspaces the person is a contact of.
email_changed = Signal()
