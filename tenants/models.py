"""Tenants, the roles and memberships that let users into them, and teams inside them.

Tenant-owned rows carry an indexed `tenant` foreign key and are read through
`TenantOwnedQuerySet.for_tenant(tenant)` (core/models.py): the one scoping helper,
so that a cross-tenant read has to be written on purpose. The audit log's rows live
in core (core/models.py); each app declares its own audit actions.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.models import TenantOwnedQuerySet
from core.permissions import ALL_PERMISSIONS, permission_names

if TYPE_CHECKING:
    from tenants.selectors import WorkspaceMenu

# Lower-case letters, digits and single hyphens, 3-60 characters: safe in URLs as typed.
slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,59}$",
    _("Use 3-60 lower-case letters, digits and hyphens; start and end with a letter or digit."),
)


def tenant_name_validator(value: str) -> None:
    """A workspace name needs a letter or digit, in any script: "!!! ???" told no two
    workspaces apart, and its URL name fell back to the English word "workspace". On
    the model, so the forms, the admin and the services refuse it alike."""
    if not any(character.isalnum() for character in value):
        raise ValidationError(
            _("Enter a name with at least one letter or digit."), code="no_letter_or_digit"
        )


class TenantQuerySet(models.QuerySet):
    def active(self) -> Self:
        """Soft-deleted orgs disappear from every list and URL."""
        return self.filter(deleted_at__isnull=True)


class Tenant(models.Model):
    class Kind(models.TextChoices):
        PERSONAL = "personal", _("Personal")
        ORG = "org", _("Organisation")

    name = models.CharField(max_length=100, validators=[tenant_name_validator])
    slug = models.SlugField(max_length=60, unique=True, validators=[slug_validator])
    # Set at creation, never changed: enforced in save() and by a database trigger.
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # Set only on personal tenants: the one user it belongs to (one per user, enforced).
    # A personal tenant is soft-deleted only with its owner's account (accounts.lifecycle);
    # tenant_delete refuses it. The former "never deleted" check constraint could not
    # express that exception, so the rule lives in the services.
    personal_owner = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="personal_tenant",
    )
    account = models.ForeignKey("billing.Account", on_delete=models.PROTECT, related_name="tenants")
    # Storage key of the logo (`tenant-<id>/<nanoid>.png`), empty when none.
    logo = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Organisations whose owners require two-factor authentication (tenants.two_factor):
    # since when, and until when members without it may still use the workspace.
    two_factor_required_at = models.DateTimeField(null=True, blank=True)
    two_factor_grace_until = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["personal", "org"]), name="tenants_tenant_kind_valid"
            ),
            # A personal tenant has exactly one owner; an org has none here (memberships say who).
            models.CheckConstraint(
                condition=(
                    models.Q(kind="personal", personal_owner__isnull=False)
                    | models.Q(kind="org", personal_owner__isnull=True)
                ),
                name="tenants_tenant_personal_owner_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._refuse_kind_change()
        super().save(*args, **kwargs)
        self._loaded_kind: str | None = self.kind

    @classmethod
    def from_db(
        cls, db: str | None, field_names: Collection[str], values: Collection[Any], **kwargs: Any
    ) -> Tenant:
        instance = super().from_db(db, field_names, values, **kwargs)
        # Remember the kind as loaded so save() can refuse to change it.
        instance._loaded_kind = instance.__dict__.get("kind")
        return instance

    def clean(self) -> None:
        super().clean()
        self._refuse_kind_change()

    def _refuse_kind_change(self) -> None:
        loaded = getattr(self, "_loaded_kind", None)
        if loaded is not None and self.kind != loaded:
            raise ValidationError(
                {"kind": gettext("A workspace's kind is set when it is created and cannot change.")}
            )

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_personal(self) -> bool:
        return self.kind == self.Kind.PERSONAL

    @property
    def is_org(self) -> bool:
        return self.kind == self.Kind.ORG


def role_label(*, name: str, key: str) -> str:
    """The name pages show: a built-in role's (`key` set) in the reader's language (its
    stored name is the English msgid, see tenants/permissions.py), a custom role's as
    typed."""
    return gettext(name) if key else name


class Role(models.Model):
    class Key(models.TextChoices):
        OWNER = "owner", _("Owner")
        ADMIN = "admin", _("Admin")
        BILLING_ADMIN = "billing_admin", _("Billing admin")
        MEMBER = "member", _("Member")

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="roles")
    name = models.CharField(max_length=60)
    # Built-in roles have a key (owner, admin, billing_admin, member); custom roles have none.
    key = models.CharField(max_length=20, choices=Key.choices, blank=True)
    permissions = models.JSONField(default=list, help_text="Permission codes this role grants.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantOwnedQuerySet.as_manager()
    # Display flags views set on fetched rows for their templates; never stored.
    editable: bool
    beyond_role: bool  # custom, with permissions the viewer's role lacks
    delete_refusal: str  # why deleting it would be refused ("" when it would not)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="tenants_role_unique_name"),
            models.UniqueConstraint(
                fields=["tenant", "key"],
                condition=~models.Q(key=""),
                name="tenants_role_unique_builtin_key",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return role_label(name=self.name, key=self.key)

    @property
    def is_builtin(self) -> bool:
        return bool(self.key)

    @property
    def is_owner(self) -> bool:
        return self.key == self.Key.OWNER

    def has_permission(self, code: str) -> bool:
        return code in self.permissions

    @property
    def holds_every_permission(self) -> bool:
        return set(ALL_PERMISSIONS) <= set(self.permissions)

    @property
    def permission_names(self) -> list[str]:
        """What pages show for this role's permissions (never the codes)."""
        return permission_names(self.permissions)


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="memberships")
    # PROTECT: a role in use cannot be deleted.
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="memberships")
    is_primary_contact = models.BooleanField(default=False)
    is_billing_contact = models.BooleanField(default=False)
    joined_at = models.DateTimeField(auto_now_add=True)
    # When the user last worked in this tenant: sign-in and /app/ land in the latest.
    # Written when they switch to it and at most every few minutes while they stay
    # (tenants/services/member_state.py), never on every request.
    last_visited_at = models.DateTimeField(null=True, blank=True)
    # The user hid the overview's setup checklist in this tenant (per person, per tenant).
    checklist_dismissed_at = models.DateTimeField(null=True, blank=True)
    # Set while the organisation's directory (SCIM) has deactivated the person: the row,
    # its role and teams stay, but TenantMiddleware treats them as a non-member.
    suspended_at = models.DateTimeField(null=True, blank=True)

    objects = TenantOwnedQuerySet.as_manager()
    # Display flags views set on fetched rows for their templates; never stored.
    is_me: bool
    manageable: bool
    primary_editable: bool
    billing_editable: bool
    remove_refusal: str  # why removing them would be refused ("" when it would not)
    billing_refusal: str  # why they cannot stop being a billing contact ("": they can)
    # The user's workspaces for the header's switcher, read with the membership by
    # tenants.selectors.membership_for_request.
    switcher: WorkspaceMenu

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "tenant"], name="tenants_membership_unique"),
            # At most one primary contact per tenant; services keep it at exactly one.
            models.UniqueConstraint(
                fields=["tenant"],
                condition=models.Q(is_primary_contact=True),
                name="tenants_membership_one_primary_contact",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.tenant}"


class Team(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=100)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    members = models.ManyToManyField(Membership, through="TeamMember", related_name="teams")
    created_at = models.DateTimeField(auto_now_add=True)
    # Synced from the organisation's directory (a SCIM group): read-only in the app.
    directory_managed = models.BooleanField(default=False)

    objects = TenantOwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="tenants_team_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class TenantFromParentQuerySet(models.QuerySet):
    """Fills a link row's denormalised `tenant_id` from its parent on bulk_create too.

    Link rows (team members, an invitation's teams) copy their parent's tenant so
    that a distributed database can keep them on the tenant's shard (docs/scaling.md);
    `save()` and this are the only places the column is derived.
    """

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> Any:
        objs = list(objs)
        for obj in objs:
            obj.tenant_from_parent()
        return super().bulk_create(objs, *args, **kwargs)


class TeamMember(models.Model):
    # Denormalised from the team (Citus co-location, docs/scaling.md): set by save().
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE)
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE)
    added_at = models.DateTimeField(auto_now_add=True)
    # Added by the SSO connection's group sync: the only rows that sync ever removes
    # (a membership added by hand stays whatever the IdP asserts).
    via_sso = models.BooleanField(default=False)

    objects = TenantFromParentQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "team", "membership"], name="tenants_teammember_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership} in team {self.team}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.tenant_from_parent()
        super().save(*args, **kwargs)

    def tenant_from_parent(self) -> None:
        if self.tenant_id is None:
            self.tenant_id = self.team.tenant_id


class TenantSlugRedirect(models.Model):
    """An old slug of a tenant: `/t/<old>/…` redirects to the current slug.

    Old slugs stay reserved for their tenant so a link never lands in someone
    else's workspace; the tenant may take its old slug back.
    """

    slug = models.SlugField(max_length=60, unique=True)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="slug_redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantOwnedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"/t/{self.slug}/ → {self.tenant.slug}"


def invitations_open(prefix: str = "") -> models.Q:
    """The one rule for an open invitation: neither accepted nor cancelled (possibly
    expired). `prefix` reaches invitations from another model: "invitations__" from a
    role (the roles page counts them per role)."""
    return models.Q(**{f"{prefix}accepted_at__isnull": True, f"{prefix}cancelled_at__isnull": True})


class InvitationQuerySet(TenantOwnedQuerySet):
    def open(self) -> Self:
        """Neither accepted nor cancelled (possibly expired): what the members page lists."""
        return self.filter(invitations_open())

    def pending(self) -> Self:
        """Open and still within their seven days: these hold a seat under the plan cap."""
        return self.open().filter(expires_at__gt=timezone.now())


class Invitation(models.Model):
    """An emailed invitation to join an org with a role (and optionally teams).

    Only the SHA-256 of the link's token is stored (see accounts/tokens.py); a resend
    replaces it, so the previous link stops working. At most one open invitation per
    address and tenant, enforced by the database.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        EXPIRED = "expired", _("Expired")
        ACCEPTED = "accepted", _("Accepted")
        CANCELLED = "cancelled", _("Cancelled")
        DECLINED = "declined", _("Declined")

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="invitations")
    # Stored lower-cased, like User.email, so comparisons are exact.
    email = models.EmailField(max_length=254)
    # CASCADE: a role is deleted only once no open invitation offers it
    # (role_delete_refusal); the accepted and cancelled ones go with it.
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="invitations")
    teams = models.ManyToManyField(
        Team, blank=True, through="InvitationTeam", related_name="invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Unique per tenant in the database (a distributed table can only enforce that);
    # 256 random bits make it unique everywhere. Indexed for the link's lookup.
    token_hash = models.CharField(max_length=64, db_index=True, editable=False)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(help_text="When the current link was emailed.")
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Set with cancelled_at when the invitee said no (invitation_decline): cancelled all
    # the same (the seat is freed, the link stops), but by them, which the link says.
    declined_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()
    # Display flags views set on fetched rows for their templates; never stored.
    actionable: bool

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "token_hash"], name="tenants_invitation_unique_token"
            ),
            models.UniqueConstraint(
                fields=["tenant", "email"],
                condition=invitations_open(),
                name="tenants_invitation_one_open_per_email",
                violation_error_message="This address already has an open invitation.",
            ),
            models.CheckConstraint(
                condition=models.Q(accepted_at__isnull=True) | models.Q(cancelled_at__isnull=True),
                name="tenants_invitation_not_accepted_and_cancelled",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.tenant}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    @property
    def status(self) -> str:
        if self.accepted_at is not None:
            return self.Status.ACCEPTED
        if self.declined_at is not None:
            return self.Status.DECLINED
        if self.cancelled_at is not None:
            return self.Status.CANCELLED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def is_expired(self) -> bool:
        return self.status == self.Status.EXPIRED


class InvitationTeam(models.Model):
    """A team an invitation puts the invitee into (the table Django made for the M2M)."""

    # Denormalised from the invitation (Citus co-location, docs/scaling.md): set by save().
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE)
    team = models.ForeignKey(Team, on_delete=models.CASCADE)

    objects = TenantFromParentQuerySet.as_manager()

    class Meta:
        db_table = "tenants_invitation_teams"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "invitation", "team"], name="tenants_invitationteam_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invitation} into team {self.team}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.tenant_from_parent()
        super().save(*args, **kwargs)

    def tenant_from_parent(self) -> None:
        if self.tenant_id is None:
            self.tenant_id = self.invitation.tenant_id
