from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "sso"
    verbose_name = "Single sign-on"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from accounts.signals import (
            account_export_requested,
            reauth_page_options,
            sign_in_check,
            sign_in_page_options,
            unproven_address_claimed,
        )
        from core.audit_actions import audit_actions_register
        from core.signals import encrypted_secrets_rotate
        from mfa.signals import security_page_sections
        from sso.audit import FIELDS, GROUPS, VALUES, SsoAction
        from sso.receivers import (
            on_account_export_requested,
            on_sign_in_check,
            on_signed_in,
            on_tenant_deleted,
            on_unproven_address_claimed,
            reauth_options,
            rotate_connection_secrets,
            security_section,
            sign_in_options,
        )
        from tenants.signals import tenant_deleted

        audit_actions_register(
            SsoAction,
            destructive=[SsoAction.DOMAIN_LOST],
            fields=FIELDS,
            values=VALUES,
            group=GROUPS,
        )
        sign_in_check.connect(on_sign_in_check, dispatch_uid="sso.sign_in_check")
        sign_in_page_options.connect(sign_in_options, dispatch_uid="sso.sign_in_options")
        reauth_page_options.connect(reauth_options, dispatch_uid="sso.reauth_options")
        security_page_sections.connect(security_section, dispatch_uid="sso.security_section")
        unproven_address_claimed.connect(
            on_unproven_address_claimed, dispatch_uid="sso.unproven_address_claimed"
        )
        user_logged_in.connect(on_signed_in, dispatch_uid="sso.auto_join")
        tenant_deleted.connect(on_tenant_deleted, dispatch_uid="sso.domains_release")
        encrypted_secrets_rotate.connect(
            rotate_connection_secrets, dispatch_uid="sso.rotate_secrets"
        )
        account_export_requested.connect(
            on_account_export_requested, dispatch_uid="sso.account_export"
        )
