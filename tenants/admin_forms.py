"""Admin forms for tenancy rows: each save is the service the members' pages call.

Staff act as the system (`acting_user=None`): the tenancy rules hold (last owner,
same-tenant roles, plan caps, one primary contact), the member-vs-member rules do not
apply. The admin names the staff member in the audit log next to the service's event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from accounts.models import User, normalize_email
from billing.plans import plan_check_members
from core.admin import may_manage
from core.permissions import OWNER_ONLY_PERMISSIONS, OWNER_ONLY_REASON, PERMISSION_CHOICES
from tenants import services
from tenants.admin_base import ServiceModelForm
from tenants.exceptions import PrimaryContactError
from tenants.models import Membership, Role, Team, TeamMember, Tenant
from tenants.selectors import tenant_seats_taken


def _fresh(instance: Any, *related: str) -> Any:
    """The row as stored now: the form's instance already holds the submitted values."""
    return type(instance)._default_manager.select_related(*related).get(pk=instance.pk)


def _lock_on_change(form: forms.ModelForm, *names: str) -> None:
    """Fields that pick the row's owner are chosen once; a posted value is ignored."""
    if form.instance.pk:
        for name in names:
            if name in form.fields:
                form.fields[name].disabled = True


class MembershipAdminForm(ServiceModelForm):
    """`request` is set by the admin that builds the form (`for_request`): staff other
    than superusers change customers' memberships only, as `may_manage` says of the
    people themselves. Without it a staff member made their own account an owner of any
    organisation (past "view as" and its limits) or demoted a superuser."""

    request: HttpRequest | None = None

    class Meta:
        model = Membership
        fields = ["user", "tenant", "role", "is_primary_contact", "is_billing_contact"]

    @classmethod
    def for_request(cls, request: HttpRequest) -> type[MembershipAdminForm]:
        return type(cls.__name__, (cls,), {"request": request})

    def _assert_may_manage(self, user: User) -> None:
        if self.request is not None and not may_manage(self.request, user):
            raise ValidationError(
                f"Only a superuser adds, changes or removes the memberships of a staff "
                f"account ({user.email})."
            )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _lock_on_change(self, "user", "tenant")

    def grants(self) -> bool:
        data, current = self.cleaned_data, self.initial
        return bool(
            (data.get("role") and data["role"].is_owner and data["role"].pk != current.get("role"))
            or (data.get("is_primary_contact") and not current.get("is_primary_contact"))
            or (data.get("is_billing_contact") and not current.get("is_billing_contact"))
        )

    def apply(self) -> Membership:
        data = self.cleaned_data
        if not self.instance.pk:
            self._assert_may_manage(data["user"])
            tenant = data["tenant"]
            plan_check_members(tenant=tenant, taken=tenant_seats_taken(tenant=tenant), adding=1)
            membership = services.membership_create(
                tenant=tenant,
                user=data["user"],
                role=data["role"],
                acting_user=None,
                is_billing_contact=data["is_billing_contact"],
            )
            if data["is_primary_contact"]:
                services.membership_set_primary_contact(
                    tenant=tenant, membership=membership, acting_user=None
                )
            return membership
        current = _fresh(self.instance, "tenant", "role", "user")
        self._assert_may_manage(current.user)
        tenant = current.tenant
        if data["role"] != current.role:
            services.membership_change_role(
                tenant=tenant, membership=current, role=data["role"], acting_user=None
            )
        if data["is_primary_contact"] and not current.is_primary_contact:
            services.membership_set_primary_contact(
                tenant=tenant, membership=current, acting_user=None
            )
        elif current.is_primary_contact and not data["is_primary_contact"]:
            raise PrimaryContactError(
                f"{current.user.email} is the primary contact of {current.tenant.name}; a "
                "workspace always has one. Tick “primary contact” on the member who takes "
                "over instead."
            )
        if data["is_billing_contact"] != current.is_billing_contact:
            services.membership_set_billing_contact(
                tenant=tenant,
                membership=current,
                is_billing_contact=data["is_billing_contact"],
                acting_user=None,
            )
        return current

    def remove(self) -> None:
        membership = _fresh(self.instance, "tenant", "role", "user")
        self._assert_may_manage(membership.user)
        services.membership_remove(
            tenant=membership.tenant, membership=membership, acting_user=None
        )


class RoleAdminForm(ServiceModelForm):
    # Not the owner-only ones (core/permissions.py): the role service refuses them.
    permissions = forms.MultipleChoiceField(
        choices=[c for c in PERMISSION_CHOICES if c[0] not in OWNER_ONLY_PERMISSIONS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=OWNER_ONLY_REASON,
    )

    class Meta:
        model = Role
        fields = ["tenant", "name", "permissions"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _lock_on_change(self, "tenant")

    def apply(self) -> Role:
        data = self.cleaned_data
        if not self.instance.pk:
            return services.role_create(
                tenant=data["tenant"],
                name=data["name"],
                permissions=data["permissions"],
                acting_user=None,
            )
        role = _fresh(self.instance, "tenant")
        return services.role_update(
            tenant=role.tenant,
            role=role,
            name=data["name"],
            permissions=data["permissions"],
            acting_user=None,
        )


class TenantAddForm(ServiceModelForm):
    """Staff create organisations the way people do: with an owner, roles and an account."""

    owner = forms.EmailField(help_text="The email of an existing account; they become the owner.")

    class Meta:
        model = Tenant
        fields = ["name"]

    def clean_owner(self) -> User:
        email = normalize_email(self.cleaned_data["owner"])
        try:
            return User.objects.get(email=email, is_active=True)
        except User.DoesNotExist:
            raise ValidationError(f"There is no active account with the email {email}.") from None

    def apply(self) -> Tenant:
        data = self.cleaned_data
        return services.tenant_create_org(owner=data["owner"], name=data["name"])


class TenantChangeForm(ServiceModelForm):
    """Name and URL through the services; `deleted_at` (superusers only, see the admin)
    sets the soft deletion or clears it to undo one, both through their services (the
    seats, the audit log). The date itself is not rewritten: it starts the files' purge."""

    class Meta:
        model = Tenant
        fields = ["name", "slug", "deleted_at"]

    def _deletion_changed(self) -> bool:
        """Whether the date was edited: the widget shows no microseconds, so the stored
        value never comes back equal (Django's changed_data allows for that)."""
        return "deleted_at" in self.fields and "deleted_at" in self.changed_data

    def clean_deleted_at(self) -> datetime | None:
        value: datetime | None = self.cleaned_data["deleted_at"]
        if self._deletion_changed() and value is not None and self.instance.deleted_at:
            raise ValidationError(
                "The date of a deletion is not changed: clear it to restore the organisation."
            )
        return value

    def apply(self) -> Tenant:
        data = self.cleaned_data
        tenant = _fresh(self.instance)
        if data["name"] != tenant.name:
            services.tenant_rename(tenant=tenant, name=data["name"], acting_user=None)
        if data["slug"] != tenant.slug:
            services.tenant_change_slug(tenant=tenant, slug=data["slug"], acting_user=None)
        if self._deletion_changed():
            if data["deleted_at"] is None:
                return services.tenant_restore(tenant=tenant, acting_user=None)
            return services.tenant_delete(tenant=tenant, acting_user=None)
        return tenant


class TeamAdminForm(ServiceModelForm):
    class Meta:
        model = Team
        fields = ["tenant", "name", "parent"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _lock_on_change(self, "tenant")

    def apply(self) -> Team:
        data = self.cleaned_data
        if not self.instance.pk:
            return services.team_create(
                tenant=data["tenant"], name=data["name"], parent=data["parent"], acting_user=None
            )
        team = _fresh(self.instance, "tenant")
        return services.team_update(
            tenant=team.tenant,
            team=team,
            name=data["name"],
            parent=data["parent"],
            acting_user=None,
        )


class TeamMemberAdminForm(ServiceModelForm):
    class Meta:
        model = TeamMember
        fields = ["membership"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _lock_on_change(self, "membership")

    def apply(self) -> TeamMember:
        team = self.instance.team
        return services.team_member_add(
            tenant=team.tenant,
            team=team,
            membership=self.cleaned_data["membership"],
            acting_user=None,
        )

    def remove(self) -> None:
        row = _fresh(self.instance, "team__tenant", "membership__tenant")
        services.team_member_remove(
            tenant=row.team.tenant, team=row.team, membership=row.membership, acting_user=None
        )
