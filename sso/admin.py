"""Read-only views of identities, domains and connections for support. Changes go
through the owner's pages, which audit them; the client secret and SAML SP key are never shown."""

from __future__ import annotations

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from sso.models import Connection, Domain, OrgIdentity, SocialIdentity


@admin.register(SocialIdentity)
class SocialIdentityAdmin(ReadOnlyAdmin):
    list_display = ["user", "provider", "email", "created_at", "last_used_at"]
    list_filter = ["provider"]
    search_fields = ["user__email", "email", "subject"]
    raw_id_fields = ["user"]


@admin.register(Domain)
class DomainAdmin(ReadOnlyAdmin):
    list_display = ["domain", "tenant", "verified_at", "last_checked_at"]
    search_fields = ["domain", "tenant__name", "tenant__slug"]
    raw_id_fields = ["tenant"]
    exclude = ["token"]


@admin.register(Connection)
class ConnectionAdmin(ReadOnlyAdmin):
    list_display = ["tenant", "protocol", "issuer", "require_sso", "auto_join", "last_tested_at"]
    search_fields = ["tenant__name", "tenant__slug", "issuer", "saml_idp_entity_id"]
    raw_id_fields = ["tenant", "default_role"]
    exclude = ["client_secret_encrypted", "saml_sp_key_encrypted"]


@admin.register(OrgIdentity)
class OrgIdentityAdmin(ReadOnlyAdmin):
    list_display = ["user", "connection", "subject", "last_used_at"]
    search_fields = ["user__email", "subject"]
    raw_id_fields = ["user", "connection"]
