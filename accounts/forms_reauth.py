"""The re-authentication prompt's form: the password, or a code from the
authenticator app. Its fields carry the `reauth` prefix, so they never collide with
the fields of the form it interrupted (which travel along as hidden inputs)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.forms import PasswordField
from accounts.services_security import current_password_check
from core.client_ip import client_ip
from core.exceptions import DomainError, refusal_message
from mfa.exceptions import SecondFactorInvalid
from mfa.forms import TOTP_ATTRS, TOTP_SHAPE, code_device, passkey_check
from mfa.models import FailedSignIn
from mfa.passkeys import REAUTH, session_owner
from mfa.reauth import FORM_PREFIX
from mfa.services import failed_sign_in_record, second_factor_check
from mfa.totp import totp_looks_valid
from sessions_app.authentication import Factor

if TYPE_CHECKING:
    from accounts.models import User

FACTORS = [
    (Factor.PASSWORD.value, _("Password")),
    (Factor.TOTP.value, _("Authenticator app")),
    (Factor.PASSKEY.value, _("Passkey")),
]


class ReauthForm(forms.Form):
    factor = forms.ChoiceField(choices=FACTORS, widget=forms.HiddenInput)
    password = PasswordField(
        label=_("Your password"),
        autocomplete="current-password",
        attrs={"autofocus": True},
        required=False,
    )
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=20,
        required=False,
        widget=forms.TextInput(TOTP_ATTRS),
    )
    credential = forms.CharField(widget=forms.HiddenInput, max_length=20_000, required=False)

    def __init__(
        self, *args: Any, request: HttpRequest, user: User, methods: list[str], **kwargs: Any
    ) -> None:
        kwargs.setdefault("prefix", FORM_PREFIX)
        super().__init__(*args, **kwargs)
        self.request, self.user = request, user
        allowed = [(code, label) for code, label in FACTORS if code in [Factor.PASSWORD, *methods]]
        self.fields["factor"].choices = allowed  # type: ignore[attr-defined]  # a ChoiceField

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        factor = cleaned.get("factor")
        if factor == Factor.PASSWORD:
            password = cleaned.get("password")
            if not password:
                self.add_error("password", _("Enter your password."))
                return cleaned
            try:
                current_password_check(user=self.user, password=password)
            except forms.ValidationError as error:
                if error.code == "wrong_password":
                    self._failed(FailedSignIn.Stage.REAUTH_PASSWORD)
                self.add_error("password", error)
        elif factor == Factor.TOTP:
            code = cleaned.get("code") or ""
            if not totp_looks_valid(code):
                self.add_error("code", TOTP_SHAPE)
                return cleaned
            try:
                second_factor_check(
                    user=self.user,
                    factor=Factor.TOTP,
                    code=code,
                    device=code_device(self.request, user=self.user),
                )
            except DomainError as error:
                if isinstance(error, SecondFactorInvalid):
                    self._failed(FailedSignIn.Stage.REAUTH_CODE)
                self.add_error("code", refusal_message(error))
        elif factor == Factor.PASSKEY:
            try:
                passkey_check(
                    self.request,
                    credential=cleaned.get("credential") or "",
                    purpose=REAUTH,
                    owner=session_owner(self.request),
                    user=self.user,
                )
            except forms.ValidationError as error:
                self.add_error("credential", error)
        return cleaned

    def _failed(self, stage: str) -> None:
        """A wrong password or code from a signed-in session: listed on the person's
        security page beside failed sign-ins (a stolen session trying to go further)."""
        failed_sign_in_record(
            user_id=self.user.pk,
            stage=stage,
            ip=client_ip(self.request),
            user_agent=self.request.META.get("HTTP_USER_AGENT", ""),
        )
