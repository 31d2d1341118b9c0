"""Notifications core sends to the apps above it (which it may not import)."""

from django.dispatch import Signal

# Sent by `manage.py rotate_encrypted_secrets`; each app holding values encrypted under a
# key derived from SECRET_KEY re-encrypts them under the current SECRET_KEY (reading
# with SECRET_KEY_FALLBACKS) and returns {what: how many}.
encrypted_secrets_rotate = Signal()
