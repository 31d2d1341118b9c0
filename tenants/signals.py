"""Notifications other apps may listen to (billing updates seat counts).

Signals only notify, always after the transaction commits; receivers are a few
lines that call a service.
"""

from django.dispatch import Signal

# Sent after commit with: membership, tenant.
membership_added = Signal()
# Sent after commit with: tenant, user (the membership row is gone).
membership_removed = Signal()
# Sent after commit with: membership, tenant (suspended or reactivated: it stops or
# starts taking a seat).
membership_suspension_changed = Signal()
# Sent after commit with: tenant (soft-deleted; its rows stay for billing and audit).
tenant_deleted = Signal()
# Sent after commit with: tenant (a soft deletion undone; its members take seats again).
tenant_restored = Signal()
