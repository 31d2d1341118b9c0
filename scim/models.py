"""An organisation's SCIM directory: its bearer token, and which members and teams the
identity provider provisioned (their SCIM ids and the IdP's `externalId`).

Pacetrack's own rows stay the truth: a SCIM User is a membership (and its user), a
SCIM Group is a team. These tables only remember the link, so a member the IdP never
provisioned is not a SCIM resource and an IdP delete never deletes a person.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from core.models import TenantOwnedQuerySet


class Directory(models.Model):
    """One per organisation. Only the SHA-256 of the token is stored (shown once); it is
    found through the organisation in the URL, then compared (scim/selectors.py), so
    the table stays distributable by tenant (tests/config/test_citus_ready.py)."""

    tenant = models.OneToOneField(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="scim_directory"
    )
    token_hash = models.CharField(max_length=64, editable=False)
    # The token's last characters, so people can tell which one an IdP holds.
    token_hint = models.CharField(max_length=8, editable=False)
    token_created_at = models.DateTimeField()
    token_created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantOwnedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "directories"

    def __str__(self) -> str:
        return f"SCIM directory of {self.tenant}"


class ScimUser(models.Model):
    """A membership the directory provisioned. Deleted when the IdP deletes the user
    (the membership stays, suspended)."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    # One link per membership (a constraint with the tenant, for distribution by tenant).
    membership = models.ForeignKey(
        "tenants.Membership", on_delete=models.CASCADE, related_name="scim_user"
    )
    scim_id = models.UUIDField(default=uuid.uuid4, editable=False)
    # The IdP's userName (unique in the directory, compared case-insensitively). The
    # account's sign-in address is settled when the user is provisioned: userName when
    # it is an address, else the primary email.
    user_name = models.CharField(max_length=254)
    external_id = models.CharField(max_length=255, blank=True)
    # The IdP's view of the person, returned as it sent it. The account's own name and
    # address are set from it only when SCIM creates the account: it may be in other orgs.
    # `emails` as the IdP sent them: [{"value": …, "type": "work", "primary": true}].
    emails = models.JSONField(default=list, blank=True)
    given_name = models.CharField(max_length=150, blank=True)
    family_name = models.CharField(max_length=150, blank=True)
    display_name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantOwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "tenant", Lower("user_name"), name="scim_scimuser_unique_user_name"
            ),
            models.UniqueConstraint(
                fields=["tenant", "membership"], name="scim_scimuser_one_per_membership"
            ),
            models.UniqueConstraint(fields=["tenant", "scim_id"], name="scim_scimuser_scim_id"),
        ]

    def __str__(self) -> str:
        return f"SCIM user {self.scim_id}"


class ScimGroup(models.Model):
    """A team the directory provisioned (read-only in the app: Team.directory_managed)."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey("tenants.Team", on_delete=models.CASCADE, related_name="scim_group")
    scim_id = models.UUIDField(default=uuid.uuid4, editable=False)
    external_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantOwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "team"], name="scim_scimgroup_one_per_team"),
            models.UniqueConstraint(fields=["tenant", "scim_id"], name="scim_scimgroup_scim_id"),
        ]

    def __str__(self) -> str:
        return f"SCIM group {self.scim_id}"
