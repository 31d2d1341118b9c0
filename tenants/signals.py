"""Notifications other apps may listen to (billing updates seat counts).

Signals only notify; receivers are a few lines that call a service.
"""

from django.dispatch import Signal

# Sent after commit with: membership, tenant.
membership_added = Signal()
# Sent after commit with: tenant, user (the membership row is gone).
membership_removed = Signal()
