from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate

from core.audit_actions import audit_actions_register
from tenants.audit import DESTRUCTIVE, FIELDS, GROUPS, VALUES, TenantAction


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Tenants"

    def ready(self) -> None:
        # Imported here, not at the top: these modules import models, which the app
        # registry only allows once every app is loaded.
        from django.contrib.auth.signals import user_logged_in

        from accounts import signals as account_signals
        from billing.receivers import on_membership_changed
        from mfa.signals import two_factor_removal_check, two_factor_state_changed
        from tenants import receivers
        from tenants.checks import check_middleware_order
        from tenants.signals import (
            membership_added,
            membership_removed,
            membership_suspension_changed,
            tenant_deleted,
            tenant_restored,
        )
        from tenants.triggers import ensure_sqlite_kind_trigger

        audit_actions_register(
            TenantAction, destructive=DESTRUCTIVE, fields=FIELDS, values=VALUES, group=GROUPS
        )
        checks.register(check_middleware_order)
        post_migrate.connect(
            ensure_sqlite_kind_trigger, sender=self, dispatch_uid="tenants_sqlite_kind_trigger"
        )
        user_logged_in.connect(receivers.on_signed_in, dispatch_uid="tenants.invitations_waiting")
        # Accounts sits below tenancy and asks through signals (accounts/signals.py).
        account_signals.user_signed_up.connect(
            receivers.on_user_signed_up, dispatch_uid="tenants.personal_workspace"
        )
        account_signals.account_deletion_check.connect(
            receivers.on_account_deletion_check, dispatch_uid="tenants.deletion_check"
        )
        account_signals.account_deactivating.connect(
            receivers.on_account_deactivating, dispatch_uid="tenants.account_deactivating"
        )
        account_signals.account_deleting.connect(
            receivers.on_account_deleting, dispatch_uid="tenants.account_deleting"
        )
        account_signals.account_export_requested.connect(
            receivers.on_account_export_requested, dispatch_uid="tenants.account_export"
        )
        account_signals.email_changed.connect(
            receivers.on_email_changed, dispatch_uid="tenants.email_changed"
        )
        # mfa sits below tenancy: organisations that require two-factor answer it.
        two_factor_removal_check.connect(
            receivers.on_two_factor_removal_check, dispatch_uid="tenants.two_factor_removal"
        )
        two_factor_state_changed.connect(
            receivers.on_two_factor_state_changed, dispatch_uid="tenants.two_factor_state"
        )
        # Billing sits below tenancy: its seat counts follow memberships through our signals.
        membership_added.connect(on_membership_changed, dispatch_uid="billing.seats.added")
        membership_removed.connect(on_membership_changed, dispatch_uid="billing.seats.removed")
        membership_suspension_changed.connect(
            on_membership_changed, dispatch_uid="billing.seats.suspension"
        )
        tenant_deleted.connect(on_membership_changed, dispatch_uid="billing.seats.tenant_deleted")
        tenant_restored.connect(on_membership_changed, dispatch_uid="billing.seats.tenant_restored")
