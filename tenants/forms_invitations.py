"""Invitation forms: inviting from the members page, and signing up through a link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.safestring import SafeString
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.forms import SignUpForm
from accounts.models import normalize_email
from core import widgets
from core.confirm import confirm_field
from core.errors import ServiceForm
from tenants.exceptions import AlreadyAMemberError, InvitationPendingError
from tenants.forms import INPUT
from tenants.invitations import already_a_member, invitation_accept_signup, invitation_create
from tenants.models import Invitation, Membership, Role, Team, Tenant
from tenants.permissions import role_in_reach

if TYPE_CHECKING:
    from accounts.models import User


# How many teams the invite form lists before they scroll in a box.
INVITE_TEAMS_UNBOXED = 12


@dataclass(frozen=True)
class TeamBox:
    """One team's checkbox on the invite form, as the template writes it."""

    id: str
    value: str
    label: str
    checked: bool


def grantable_roles(*, tenant: Tenant, actor: Role) -> list[Role]:
    """Roles the actor may hand out (only owners make owners; nobody grants more than
    they hold), built-in roles first. The service checks again on submit."""
    order = {key: i for i, key in enumerate(Role.Key.values)}
    roles = [
        role for role in Role.objects.for_tenant(tenant) if role_in_reach(actor=actor, role=role)
    ]
    return sorted(roles, key=lambda r: (order.get(r.key, len(order)), r.name.lower()))


def _owner_confirmation(tenant: Tenant, role: Role) -> SafeString:
    """Asked only when this owner role is the one sent (core/confirm.py)."""
    return confirm_field(
        _("Invite them as an owner?"),
        detail=_(
            "Owners can do everything in %(org)s: billing, every member's role, removing "
            "people and deleting the organisation. Only an owner can undo it."
        )
        % {"org": tenant.name},
        button=_("Invite as owner"),
        when="role",
        equals=role.pk,
    )


class InvitationForm(ServiceForm):
    email = forms.EmailField(
        max_length=254,
        widget=forms.EmailInput(
            INPUT
            | {
                "placeholder": pgettext_lazy("an example work address", "name@company.com"),
                "autocomplete": "off",
            }
        ),
        error_messages={"required": _("Enter the email address of the person to invite.")},
    )
    role = forms.ModelChoiceField(
        queryset=Role.objects.none(),
        empty_label=None,
        widget=widgets.Select(INPUT),
        error_messages={
            "required": _("Choose a role."),
            "invalid_choice": _("Choose one of the roles you are allowed to grant."),
        },
    )
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        # The legend says "(optional)": said once.
        help_text=_("They join these teams when they accept."),
        error_messages={"invalid_choice": _("Choose teams of this workspace.")},
    )

    def __init__(self, *args: Any, tenant: Tenant, actor: Role, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.tenant, self.user, self.actor = tenant, user, actor
        self.pending_invitation: Invitation | None = None
        roles = grantable_roles(tenant=tenant, actor=actor)
        role = cast(forms.ModelChoiceField, self.fields["role"])  # declared above
        role.queryset = Role.objects.filter(pk__in=[r.pk for r in roles])
        role.choices = [(r.pk, r.label) for r in roles]
        member = next((r for r in roles if r.key == Role.Key.MEMBER), None)
        if member is not None:
            self.fields["role"].initial = member.pk
        # Inviting someone as an owner is asked once more, as making a member one is on
        # the members page: the template writes these inside the form.
        self.asks = SafeString("".join(_owner_confirmation(tenant, r) for r in roles if r.is_owner))
        # Not the teams a directory syncs: only it fills them (invitation_create refuses).
        offered = Team.objects.for_tenant(tenant).filter(directory_managed=False)
        # (id, name) pairs, not Team rows: a workspace may have thousands.
        self._teams = list(offered.order_by("name").values_list("pk", "name"))
        self.has_teams = bool(self._teams)
        # Past a dozen the checkboxes scroll in a box of their own, so hundreds of teams
        # do not push the pending invitations off the page.
        self.many_teams = len(self._teams) > INVITE_TEAMS_UNBOXED
        team_field = cast(forms.ModelMultipleChoiceField, self.fields["teams"])  # declared above
        team_field.queryset = offered

    @property
    def team_boxes(self) -> list[TeamBox]:
        """The team checkboxes, ticked as sent. The template writes each input itself:
        through the widget's option template a thousand teams cost a fifth of a second
        on every members page."""
        field = self["teams"]
        ticked = {str(value) for value in field.value() or ()}
        return [
            TeamBox(
                id=f"{field.auto_id}_{i}",
                value=str(pk),
                label=name,
                checked=str(pk) in ticked,
            )
            for i, (pk, name) in enumerate(self._teams)
        ]

    def clean_email(self) -> str:
        email = normalize_email(self.cleaned_data["email"])
        if (refusal := already_a_member(tenant=self.tenant, email=email)) is not None:
            raise forms.ValidationError(str(refusal))
        return email

    def save(self) -> Invitation | None:
        data = self.cleaned_data
        return self.run(
            lambda: invitation_create(
                tenant=self.tenant,
                email=data["email"],
                role=data["role"],
                teams=data["teams"],
                acting_user=self.user,
            )
        )

    def run(self, action: Any) -> Any:
        """Address problems show on the email field; other refusals above the form."""

        def guarded() -> Any:
            try:
                return action()
            except InvitationPendingError as error:
                if role_in_reach(actor=self.actor, role=error.invitation.role):
                    self.pending_invitation = error.invitation  # offer the resend
                self.add_error("email", str(error))
            except AlreadyAMemberError as error:
                self.add_error("email", str(error))
            return None

        return super().run(guarded)


class InvitationSignUpForm(SignUpForm):
    """Sign-up for the invited address only. The email field is disabled: Django
    ignores whatever a browser posts for it and keeps the invited address."""

    def __init__(self, data: Any = None, *, invitation: Invitation, **kwargs: Any) -> None:
        super().__init__(data, initial={"email": invitation.email}, **kwargs)
        self.invitation = invitation
        email = self.fields["email"]
        email.disabled = True
        email.widget.attrs["class"] = "input cursor-not-allowed bg-slate-50 pr-9 text-slate-600"
        email.help_text = gettext(
            "The invitation is for this address, so it can't be changed here."
        )

    def accept(self, *, raw_token: str) -> Membership:
        """Create the account and join (not `save()`: SignUpForm's returns a User)."""
        data = self.cleaned_data
        return invitation_accept_signup(
            raw_token=raw_token, name=data["name"], password=data["password"], **self._locale()
        )
