"""Tenant forms: they validate input and hand it to one service in save()."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundWidget
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.forms import PasswordField, ask_password_only_if_set
from accounts.services_security import current_password_check
from billing.plans import plan_for_account
from core import widgets
from core.errors import ServiceForm
from core.ids import id_from_text
from core.members import members_who_can_act
from core.permissions import (
    OWNER_ONLY_PERMISSIONS,
    OWNER_ONLY_REASON,
    PERMISSION_CHOICES,
    Permission,
    permission_groups,
)
from tenants import services
from tenants.models import Membership, Role, Team, Tenant, slug_validator, tenant_name_validator
from tenants.selectors import (
    membership_find_by_email,
    memberships_name_starting,
    memberships_named,
    team_with_sub_teams_ids,
)
from tenants.services.two_factor import GRACE_DAYS_DEFAULT, GRACE_DAYS_MAX

if TYPE_CHECKING:
    from accounts.models import User
    from billing.models import Account

INPUT = {"class": "input"}
NEW_ACCOUNT = "new"


class OrgCreateForm(ServiceForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        # Not restored by Back (autocomplete off): the form came back filled in, and
        # "Create organisation" again made a second one of the same name.
        widget=forms.TextInput(
            INPUT | {"placeholder": _("Acme Corp"), "autofocus": True, "autocomplete": "off"}
        ),
        help_text=_("You can rename it later."),
        error_messages={"required": _("Give the organisation a name.")},
        # Before the service: its own check of the model would come after other refusals.
        validators=[tenant_name_validator],
    )
    account = forms.ChoiceField(
        label=_("Billing"),
        widget=forms.RadioSelect,
        initial=NEW_ACCOUNT,
        required=True,
        error_messages={
            "required": _("Choose which billing account pays for it."),
            "invalid_choice": _("Choose a new account or one of the accounts listed."),
        },
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.accounts: dict[str, Account] = {
            str(a.pk): a for a in services.account_choices_for(user=user)
        }
        account = cast(forms.ChoiceField, self.fields["account"])  # declared above
        account.choices = [(NEW_ACCOUNT, gettext("A new billing account"))] + [
            (
                pk,
                gettext("Existing: %(name)s (%(plan)s plan)")
                % {"name": a.name, "plan": plan_for_account(a).name},
            )
            for pk, a in self.accounts.items()
        ]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError(gettext("Give the organisation a name."))
        return name

    def save(self) -> Tenant | None:
        data = self.cleaned_data
        account = self.accounts.get(data["account"])
        return self.run(
            lambda: services.tenant_create_org(
                owner=self.user, name=data["name"], account=account, acting_user=self.user
            )
        )


class TenantRenameForm(ServiceForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        widget=forms.TextInput(INPUT),
        error_messages={"required": _("Enter a name for the workspace.")},
        # Before the service, which would have renamed the page's workspace before refusing.
        validators=[tenant_name_validator],
    )

    def __init__(self, *args: Any, tenant: Tenant, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"name": tenant.name})
        super().__init__(*args, **kwargs)
        self.tenant, self.user = tenant, user

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError(gettext("Enter a name for the workspace."))
        return name

    def save(self) -> Tenant | None:
        return self.run(
            lambda: services.tenant_rename(
                tenant=self.tenant, name=self.cleaned_data["name"], acting_user=self.user
            )
        )


class TenantSlugForm(ServiceForm):
    slug = forms.CharField(
        label=_("URL"),
        max_length=60,
        widget=forms.TextInput(INPUT | {"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Lower-case letters, digits and hyphens. Old links keep working."),
        error_messages={"required": _("Enter the name to use in the workspace's URL.")},
    )

    def __init__(self, *args: Any, tenant: Tenant, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"slug": tenant.slug})
        super().__init__(*args, **kwargs)
        self.tenant, self.user = tenant, user

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].strip().lower()
        slug_validator(slug)
        if slug != self.tenant.slug and services.slug_is_taken(slug, tenant=self.tenant):
            raise ValidationError(
                gettext("“%(slug)s” is already taken. Try another.") % {"slug": slug}
            )
        return slug

    def save(self) -> Tenant | None:
        return self.run(
            lambda: services.tenant_change_slug(
                tenant=self.tenant, slug=self.cleaned_data["slug"], acting_user=self.user
            )
        )


class TenantDeleteForm(ServiceForm):
    confirmation = forms.CharField(
        label=_("Type the workspace URL name to confirm"),
        widget=forms.TextInput(INPUT | {"autocomplete": "off", "spellcheck": "false"}),
        # Replaced in __init__ by the words naming this workspace's URL name.
        error_messages={"required": _("Type the workspace URL name to confirm")},
    )

    def __init__(self, *args: Any, tenant: Tenant, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tenant, self.user = tenant, user
        # confirm.js sends a mismatch without its warning dialog: the answer says so.
        self.fields["confirmation"].widget.attrs["data-must-equal"] = tenant.slug
        # The label names what to type: a walk typed the workspace's name, which the
        # heading and button show, under "Type the workspace URL name".
        self.fields["confirmation"].label = gettext("Type “%(slug)s” to confirm") % {
            "slug": tenant.slug
        }
        self.fields["confirmation"].help_text = gettext(
            "Its web address, /t/%(slug)s/, not its name."
        ) % {"slug": tenant.slug}
        self.fields["confirmation"].error_messages["required"] = gettext(
            "Type “%(slug)s” to delete this workspace."
        ) % {"slug": tenant.slug}

    def clean_confirmation(self) -> str:
        value = self.cleaned_data["confirmation"].strip()
        if value != self.tenant.slug:
            raise ValidationError(
                gettext("That does not match. Type “%(slug)s” to delete this workspace.")
                % {"slug": self.tenant.slug}
            )
        return value

    def save(self) -> Tenant | None:
        return self.run(lambda: services.tenant_delete(tenant=self.tenant, acting_user=self.user))


class RoleChoiceField(forms.ModelChoiceField):
    """A role by the name pages show (a built-in one in the reader's language)."""

    def label_from_instance(self, obj: Role) -> str:
        return obj.label


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.user.name} ({obj.user.email})"


# Up to this many other members, the new owner is chosen from a list; past it, by
# address, with suggestions as the owner types (a list of thousands helps nobody).
OWNER_CANDIDATES_LISTED = 200


class OwnershipTransferForm(ServiceForm):
    membership = MemberChoiceField(
        label=_("New owner"),
        queryset=Membership.objects.none(),
        empty_label=_("Choose a member…"),
        widget=widgets.Select(INPUT),
        error_messages={
            "required": _("Choose the member who becomes the owner."),
            "invalid_choice": _("Choose a member of this workspace."),
        },
    )
    password = PasswordField(
        label=_("Your password"),
        autocomplete="current-password",
        error_messages={"required": _("Enter your password to confirm.")},
    )

    def __init__(
        self, *args: Any, tenant: Tenant, user: User, source: Membership, **kwargs: Any
    ) -> None:
        """`source` is the owner's own membership: what it hands over."""
        super().__init__(*args, **kwargs)
        self.tenant, self.user = tenant, user
        # The page says the new owner becomes the primary contact only when they do.
        self.moves_contact = services.ownership_transfer_moves_contact(source=source)
        self.fields["password"].help_text = (
            _("You become an admin; the new owner also becomes the primary contact.")
            if self.moves_contact
            else _("You become an admin.")
        )
        ask_password_only_if_set(self, field="password", user=user)
        # Not someone the directory suspended or staff deactivated: the service refuses
        # them (no owner could act).
        others = (
            Membership.objects.for_tenant(tenant).exclude(user=user).filter(members_who_can_act())
        )
        listed = list(
            others.select_related("user").order_by("user__name", "user__email", "pk")[
                : OWNER_CANDIDATES_LISTED + 1
            ]
        )
        self.has_candidates = bool(listed)
        self.by_address = len(listed) > OWNER_CANDIDATES_LISTED
        if self.by_address:
            self.fields["membership"] = forms.CharField(
                label=_("New owner"),
                max_length=254,
                help_text=_("Their email address: suggestions appear as you type."),
                widget=forms.TextInput(
                    INPUT
                    | {
                        "inputmode": "email",
                        "autocomplete": "off",
                        "spellcheck": "false",
                        "list": "owner-candidates",
                        "hx-get": reverse(
                            "tenant:owner-candidates", kwargs={"tenant_slug": tenant.slug}
                        ),
                        "hx-trigger": "input changed delay:250ms",
                        "hx-target": "#owner-candidates",
                        "hx-swap": "innerHTML",
                        "hx-sync": "this:replace",
                    }
                ),
                error_messages={"required": _("Choose the member who becomes the owner.")},
            )
            return
        field = cast(MemberChoiceField, self.fields["membership"])  # declared above
        field.queryset = others
        field.choices = [
            ("", field.empty_label),
            *((m.pk, field.label_from_instance(m)) for m in listed),
        ]

    def clean_membership(self) -> Membership:
        """By address (a large organisation), the other member who has it."""
        chosen = self.cleaned_data["membership"]
        if not self.by_address:
            return chosen
        found = membership_find_by_email(tenant=self.tenant, email=chosen)
        if found is not None and found.user_id == self.user.pk:
            raise ValidationError(
                gettext("You already own %(name)s: type another member's address.")
                % {"name": self.tenant.name}
            )
        if found is None and "@" not in chosen:
            raise ValidationError(
                gettext("Type the new owner's email address, or pick them from the suggestions.")
            )
        if found is None:
            raise ValidationError(
                gettext("Nobody in %(name)s has the address %(email)s.")
                % {"name": self.tenant.name, "email": chosen}
            )
        return found

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        current_password_check(user=self.user, password=password)
        return password

    def save(self) -> Membership | None:
        return self.run(
            lambda: services.ownership_transfer(
                tenant=self.tenant,
                to_membership=self.cleaned_data["membership"],
                acting_user=self.user,
            )
        )


def _grace_words() -> str:
    return gettext("Give members between 0 and %(max)s days.") % {"max": GRACE_DAYS_MAX}


class TwoFactorPolicyForm(forms.Form):
    """The grace period owners give members to set up two-factor authentication."""

    # One sentence for every way the number can be wrong, said beside the field.
    grace_days = forms.IntegerField(
        label=_("Days members have to set it up"),
        min_value=0,
        max_value=GRACE_DAYS_MAX,
        initial=GRACE_DAYS_DEFAULT,
        widget=forms.NumberInput({"class": "input w-28"}),
        error_messages=dict.fromkeys(
            ("required", "invalid", "min_value", "max_value"), lazy(_grace_words, str)()
        ),
    )


class MemberRoleForm(forms.Form):
    role = RoleChoiceField(
        queryset=Role.objects.none(),
        error_messages={
            "required": _("Choose a role."),
            "invalid_choice": _("Choose one of this workspace's roles."),
        },
    )

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role = cast(forms.ModelChoiceField, self.fields["role"])  # declared above
        role.queryset = Role.objects.for_tenant(tenant)


class PermissionCheckboxes(forms.CheckboxSelectMultiple):
    """Each box is described by its permission's one-line description (the template
    gives it this id), so a screen reader hears the short name first, then what it allows."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        if "id" in option["attrs"]:
            option["attrs"]["aria-describedby"] = f"{option['attrs']['id']}_description"
        return option


class RoleForm(ServiceForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=60,
        widget=forms.TextInput(INPUT),
        error_messages={"required": _("Give the role a name.")},
    )
    permissions = forms.MultipleChoiceField(
        choices=PERMISSION_CHOICES, widget=PermissionCheckboxes, required=False
    )

    def __init__(
        self, *args: Any, tenant: Tenant, user: User, role: Role | None = None, **kwargs: Any
    ) -> None:
        if role is not None:
            kwargs.setdefault("initial", {"name": role.name, "permissions": role.permissions})
        super().__init__(*args, **kwargs)
        self.tenant, self.user, self.role = tenant, user, role

    def permission_groups(
        self,
    ) -> list[tuple[str, list[tuple[BoundWidget | None, Permission]]]]:
        """The checkboxes under their headings, each with the permission it grants; the
        owner-only ones without a box, explained all the same (core/permissions.py says
        why; the service refuses them)."""
        boxes = {box.data["value"]: box for box in self["permissions"]}
        return [
            (
                group,
                [
                    (None if p.code in OWNER_ONLY_PERMISSIONS else boxes[p.code], p)
                    for p in permissions
                ],
            )
            for group, permissions in permission_groups()
        ]

    owner_only_reason = OWNER_ONLY_REASON

    def save(self) -> Role | None:
        data, role = self.cleaned_data, self.role
        if role is None:
            return self.run(
                lambda: services.role_create(
                    tenant=self.tenant,
                    name=data["name"],
                    permissions=data["permissions"],
                    acting_user=self.user,
                )
            )
        return self.run(
            lambda: services.role_update(
                tenant=self.tenant,
                role=role,
                name=data["name"],
                permissions=data["permissions"],
                acting_user=self.user,
            )
        )


def _posted_id(form: forms.Form, name: str) -> int | None:
    """The id a bound form posted for `name`, if it is one."""
    return id_from_text(form.data.get(form.add_prefix(name))) if form.is_bound else None


class TeamForm(ServiceForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        widget=forms.TextInput(INPUT | {"placeholder": _("Design")}),
        error_messages={"required": _("Give the team a name.")},
    )
    parent = forms.ModelChoiceField(
        label=_("Inside team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("— top level —"),
        widget=widgets.Select(INPUT),
        error_messages={"invalid_choice": _("Choose one of this workspace's teams.")},
    )

    def __init__(
        self, *args: Any, tenant: Tenant, user: User, team: Team | None = None, **kwargs: Any
    ) -> None:
        if team is not None:
            kwargs.setdefault("initial", {"name": team.name, "parent": team.parent_id})
        super().__init__(*args, **kwargs)
        self.tenant, self.user, self.team = tenant, user, team
        # What the labels and the service's checks read, not whole rows: thousands of teams.
        parents = (
            Team.objects.for_tenant(tenant).order_by("name").only("name", "tenant_id", "parent_id")
        )
        offered = parents
        if team is not None:
            parents = parents.exclude(pk=team.pk)
            # Nor a team inside it: the service refuses that cycle, and says so to a
            # stale page that still posts one, which stays chosen beside its refusal
            # (left out, the browser would show "top level" and a second save move it).
            inside = team_with_sub_teams_ids(tenant=tenant, team=team)
            inside.discard(_posted_id(self, "parent"))
            offered = parents.exclude(pk__in=inside)
        parent = cast(forms.ModelChoiceField, self.fields["parent"])  # declared above
        parent.queryset = parents  # what a submitted choice must be
        # The options from (id, name) pairs, not rows: a thousand teams built as rows
        # cost ~15 ms a page view of the teams page and of each team's settings.
        parent.choices = [("", parent.empty_label), *offered.values_list("pk", "name")]

    def save(self) -> Team | None:
        data, team = self.cleaned_data, self.team
        if team is None:
            return self.run(
                lambda: services.team_create(
                    tenant=self.tenant,
                    name=data["name"],
                    parent=data["parent"],
                    acting_user=self.user,
                )
            )
        return self.run(
            lambda: services.team_update(
                tenant=self.tenant,
                team=team,
                name=data["name"],
                parent=data["parent"],
                acting_user=self.user,
            )
        )


class TeamMemberAddForm(forms.Form):
    """Who to add to a team, by email address or name: each card's field suggests the
    workspace's members from one list on the page (a select per team would repeat every
    member on every card: teams × members options). A name counts when it is one
    member's; two people of the same name are told apart by address."""

    email = forms.CharField(
        max_length=254,
        strip=True,
        error_messages={"required": _("Type or pick the member to add.")},
    )

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tenant = tenant

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        typed = data.get("email")
        if typed:
            data["membership"], refusal = self._find(typed)
            if refusal:
                self.add_error("email", refusal)
        return data

    def _find(self, typed: str) -> tuple[Membership | None, str]:
        """The member `typed` names (an address, or a name only one member has), or why
        there is none."""
        typed = " ".join(typed.split())
        membership = membership_find_by_email(tenant=self.tenant, email=typed)
        if membership is not None:
            return membership, ""
        values = {"name": self.tenant.name, "typed": typed}
        if "@" in typed:
            return None, gettext("Nobody in %(name)s has the address %(email)s.") % {
                "name": self.tenant.name,
                "email": typed,
            }
        named = memberships_named(tenant=self.tenant, name=typed)
        if len(named) == 1:
            return named[0], ""
        if named:
            return None, gettext(
                "More than one member of %(name)s is called %(typed)s. "
                "Type the address of the one to add."
            ) % values
        # Part of a name, as people type it ("otto" for Otto Zwei): one member, that one.
        starting = memberships_name_starting(tenant=self.tenant, text=typed)
        if len(starting) == 1:
            return starting[0], ""
        if starting:
            shown = [m.user.name for m in starting[:3]] + (["…"] if len(starting) > 3 else [])
            return None, gettext(
                "Several members of %(name)s have a name starting with %(typed)s: "
                "%(names)s. Type the whole name or the address."
            ) % {**values, "names": ", ".join(shown)}
        return None, gettext("Nobody in %(name)s is called %(typed)s or has that address.") % values
