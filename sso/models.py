"""Identities from other providers, organisations' verified domains and their SSO
connection. Social identities belong to a person; domains and connections to an org."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models

from core.i18n import reason_said
from core.models import TenantOwnedQuerySet

if TYPE_CHECKING:
    from tenants.models import Role


class SocialIdentity(models.Model):
    """A Google, Microsoft or GitHub account linked to a person: signing in with it
    signs them in. The provider's subject (never the email) is what identifies it."""

    class Provider(models.TextChoices):
        GOOGLE = "google", "Google"
        MICROSOFT = "microsoft", "Microsoft"
        GITHUB = "github", "GitHub"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="social_identities"
    )
    provider = models.CharField(max_length=20, choices=Provider.choices)
    subject = models.CharField(max_length=255)
    email = models.EmailField(max_length=254, blank=True)  # as the provider said at linking
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "social identities"
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "subject"], name="sso_socialidentity_unique_subject"
            ),
            # One account of each provider per person keeps "disconnect" unambiguous.
            models.UniqueConstraint(
                fields=["user", "provider"], name="sso_socialidentity_one_per_provider"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} ({self.email or self.subject})"


class Domain(models.Model):
    """A domain an organisation claims; verified by a TXT record holding `token`."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253)
    token = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)

    objects = TenantOwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "domain"], name="sso_domain_unique_per_org"),
            # A domain is verified by one organisation at a time.
            models.UniqueConstraint(
                fields=["domain"],
                condition=models.Q(verified_at__isnull=False),
                name="sso_domain_verified_once",
            ),
        ]

    def __str__(self) -> str:
        return self.domain

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def record_name(self) -> str:
        return f"_pacetrack-challenge.{self.domain}"


class Connection(models.Model):
    """An organisation's identity provider and its sign-in policy (one per org).

    The client secret is stored encrypted (sso.crypto) and never shown again."""

    class Protocol(models.TextChoices):
        OIDC = "oidc", "OpenID Connect"
        SAML = "saml", "SAML 2.0"

    tenant = models.OneToOneField(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="sso_connection"
    )
    protocol = models.CharField(max_length=10, choices=Protocol.choices, default=Protocol.OIDC)
    # OpenID Connect (empty for SAML).
    issuer = models.URLField(max_length=500, blank=True)
    client_id = models.CharField(max_length=255, blank=True)
    client_secret_encrypted = models.TextField(blank=True)
    scopes = models.CharField(max_length=255, default="openid email profile")
    # Members whose email is on a verified domain must sign in through the IdP
    # (owners keep a break-glass password sign-in, audited).
    require_sso = models.BooleanField(default=False)
    # Anyone signing in with a verified address on a verified domain joins…
    auto_join = models.BooleanField(default=False)
    # …or, without auto-join, asks to join and an owner approves (JoinRequest).
    join_requests = models.BooleanField(default=False)
    # The role of members provisioned by SSO or auto-join. A custom role can still be
    # deleted (the roles page knows nothing of SSO): then the built-in member role is used.
    default_role = models.ForeignKey(
        "tenants.Role", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Each sign-in puts the member in the existing teams named like the groups the IdP
    # asserts, and takes them out of those this sync added that it no longer asserts
    # (sso.services_groups). Off: sign-ins change no team.
    sync_teams_from_groups = models.BooleanField(default=False)
    # SAML 2.0 (empty for OIDC): the IdP's metadata as uploaded, and this connection's
    # own SP key pair (the key encrypted like client secrets; sso.saml_keys).
    saml_idp_metadata = models.TextField(blank=True)
    # Where the metadata was fetched from, when the owner gave its URL ("" = uploaded);
    # "Refresh metadata" fetches it again (an IdP's certificate rollover).
    saml_idp_metadata_url = models.URLField(max_length=500, blank=True)
    saml_idp_metadata_fetched_at = models.DateTimeField(null=True, blank=True)
    # The daily re-read (the sso_saml_metadata job) failing: since when, and the latest
    # reason; the stored metadata stays in use. Cleared by the next good read or by
    # saving other metadata. The owners are emailed when a run of failures begins.
    # The reason is kept untranslated with its values (`ConnectionRefused.kept`), so
    # each reader gets it in their language: `saml_idp_metadata_error_said`.
    saml_idp_metadata_failing_since = models.DateTimeField(null=True, blank=True)
    saml_idp_metadata_error = models.CharField(max_length=500, blank=True)
    saml_idp_metadata_error_params = models.JSONField(default=dict, blank=True)
    # The end of the IdP signing certificate the owners were last emailed about, and when
    # (sso.services_saml_certificate): a month before it ends, then a week before.
    saml_idp_certificate_warned_until = models.DateTimeField(null=True, blank=True)
    saml_idp_certificate_warned_at = models.DateTimeField(null=True, blank=True)
    saml_idp_entity_id = models.CharField(max_length=500, blank=True)
    saml_sp_key_encrypted = models.TextField(blank=True)
    saml_sp_certificate = models.TextField(blank=True)
    # Responses nobody here asked for: off unless the owner turns them on.
    saml_allow_idp_initiated = models.BooleanField(default=False)
    # Which attributes carry what ("" = NameID for the email; none for the others).
    saml_attr_email = models.CharField(max_length=255, blank=True, default="email")
    saml_attr_first_name = models.CharField(max_length=255, blank=True, default="firstName")
    saml_attr_last_name = models.CharField(max_length=255, blank=True, default="lastName")
    saml_attr_groups = models.CharField(max_length=255, blank=True, default="groups")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_tested_at = models.DateTimeField(null=True, blank=True)

    objects = TenantOwnedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.get_protocol_display()} {self.issuer or self.saml_idp_entity_id}"

    @property
    def is_saml(self) -> bool:
        return self.protocol == self.Protocol.SAML

    @property
    def saml_idp_metadata_error_said(self) -> str:
        """Why the daily metadata read fails, in the active language."""
        return reason_said(self.saml_idp_metadata_error, self.saml_idp_metadata_error_params)

    def role_for_new_members(self) -> Role:
        """The default role, or the tenant's built-in member role when it was deleted."""
        from tenants.models import Role

        return self.default_role or Role.objects.get(tenant_id=self.tenant_id, key=Role.Key.MEMBER)


class OrgIdentity(models.Model):
    """A person as an organisation's IdP knows them (the IdP's subject)."""

    # The connection's tenant, kept on the row: the distribution column (docs/scaling.md).
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="identities")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="org_identities"
    )
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "organisation identity"
        verbose_name_plural = "organisation identities"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "connection", "subject"], name="sso_orgidentity_unique_subject"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} at {self.connection_id}"


class JoinRequest(models.Model):
    """Someone with a verified-domain address asked to join; an owner decides."""

    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="join_requests"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    approved = models.BooleanField(null=True)

    objects = TenantOwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "user"],
                condition=models.Q(decided_at__isnull=True),
                name="sso_joinrequest_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} asks to join {self.tenant}"
