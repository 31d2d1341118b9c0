"""Code forms: confirming an authenticator app, and a second factor at sign-in or
re-authentication. The code is checked in `clean_code`, as a password is."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.client_ip import client_ip
from core.errors import ServiceForm
from core.exceptions import DomainError, refusal_message
from mfa.exceptions import SecondFactorInvalid
from mfa.models import Passkey
from mfa.passkeys import challenge_take
from mfa.recovery import recovery_code_looks_valid
from mfa.services import (
    failed_sign_in_record,
    second_factor_check,
    sign_in_second_factor,
    totp_confirm,
)
from mfa.services_passkeys import passkey_verify
from mfa.services_trusted import trust_is_offered
from mfa.totp import totp_code_normalize, totp_looks_valid
from ratelimit.devices import known_device_id
from sessions_app.authentication import Factor

if TYPE_CHECKING:
    from accounts.models import User

TOTP_ATTRS = {
    "class": "input font-mono tracking-widest",
    "autocomplete": "one-time-code",
    "inputmode": "numeric",
    "pattern": "[0-9 ]*",
    "maxlength": "7",
    "placeholder": "123456",
    "spellcheck": "false",
}
RECOVERY_ATTRS = {
    "class": "input font-mono",
    "autocomplete": "off",
    "autocapitalize": "none",
    "maxlength": "20",
    "placeholder": "xxxx-xxxx-xxxx",
    "spellcheck": "false",
}


def trust_field_offer(form: forms.Form, *, sign_in: bool) -> None:
    """The form's "trust" box ("Don't ask again on this browser") worded for the period
    in force, at the sign-in's second step only; anywhere else, or with MFA_TRUST_DAYS
    0, the form has no such field."""
    if not (sign_in and trust_is_offered()):
        del form.fields["trust"]
        return
    days = settings.MFA_TRUST_DAYS
    field = form.fields["trust"]
    field.label = ngettext(
        "Don't ask again on this browser for %(days)s day",
        "Don't ask again on this browser for %(days)s days",
        days,
    ) % {"days": days}
    field.help_text = _(
        "Only on a device nobody else uses. Signing out forgets it, and so do "
        "changing your password and signing out your other devices."
    )


def code_device(request: HttpRequest, *, user: User) -> str | None:
    """This browser's budget for wrong codes, when it has signed in to `user`'s account
    before (see `mfa.services.attempt_count`)."""
    return known_device_id(request, email=user.email)


TOTP_SHAPE = _("Enter the 6-digit code your authenticator app shows.")
RECOVERY_SHAPE = _("Recovery codes look like abcd-efgh-2345: 12 letters and digits.")


class TOTPConfirmForm(ServiceForm):
    """One code from the app being set up turns it on."""

    # A wrong code is said beside the field, which the page then focuses: the person
    # types the next code there (static/src/js/focus-refused-field.js).
    refusal_fields: ClassVar[dict[type[DomainError], str]] = {SecondFactorInvalid: "code"}

    code = forms.CharField(
        label=_("Code from the app"),
        max_length=20,
        widget=forms.TextInput(TOTP_ATTRS),
        error_messages={"required": TOTP_SHAPE},
    )

    def clean_code(self) -> str:
        code = totp_code_normalize(self.cleaned_data["code"])
        if not totp_looks_valid(code):
            raise forms.ValidationError(TOTP_SHAPE)
        return code

    def save(self, *, user: User) -> list[str] | None:
        """The new recovery codes ([] when the person still has some); None if refused
        (the reason is a form error)."""
        return self.run(lambda: totp_confirm(user=user, code=self.cleaned_data["code"]))


class SecondFactorForm(forms.Form):
    """A code proving the second factor `factor` (authenticator app or recovery code).

    `sign_in=True` for the sign-in's second step: the address's budget counts too and
    a wrong code is listed on the person's security page."""

    # The factor's own words replace this in __init__ (what its codes look like).
    code = forms.CharField(max_length=40, error_messages={"required": _("Enter the code.")})
    trust = forms.BooleanField(required=False)  # worded, or removed, by trust_field_offer

    def __init__(
        self,
        *args: Any,
        user: User,
        factor: str,
        request: HttpRequest,
        sign_in: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.factor, self.request, self.sign_in = user, Factor(factor), request, sign_in
        trust_field_offer(self, sign_in=sign_in)
        field = self.fields["code"]
        if self.factor == Factor.TOTP:
            field.label = _("Authentication code")
            field.widget = forms.TextInput(TOTP_ATTRS | {"autofocus": True})
            field.help_text = _("The 6-digit code your authenticator app shows for Pacetrack.")
            field.error_messages["required"] = TOTP_SHAPE
        else:
            field.label = _("Recovery code")
            field.widget = forms.TextInput(RECOVERY_ATTRS | {"autofocus": True})
            field.help_text = _("One of the codes you saved when you set up two-factor sign-in.")
            field.error_messages["required"] = RECOVERY_SHAPE

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if self.factor == Factor.TOTP and not totp_looks_valid(code):
            raise forms.ValidationError(TOTP_SHAPE)
        if self.factor == Factor.RECOVERY_CODE and not recovery_code_looks_valid(code):
            raise forms.ValidationError(RECOVERY_SHAPE)
        ip = client_ip(self.request)
        try:
            if self.sign_in:
                sign_in_second_factor(
                    user=self.user,
                    factor=self.factor,
                    code=code,
                    ip=ip,
                    device=code_device(self.request, user=self.user),
                    user_agent=self.request.META.get("HTTP_USER_AGENT", ""),
                )
            else:
                second_factor_check(
                    user=self.user,
                    factor=self.factor,
                    code=code,
                    device=code_device(self.request, user=self.user),
                )
        except DomainError as error:
            raise forms.ValidationError(refusal_message(error)) from error
        return code


CHALLENGE_GONE = _("That took too long or was already used. Try the passkey again.")


def passkey_check(
    request: HttpRequest, *, credential: str, purpose: str, owner: str, user: User | None
) -> Passkey:
    """The passkey behind `credential`, answered to this browser's challenge for
    `purpose` and `owner`; a ValidationError with the reason otherwise."""
    challenge = challenge_take(request, purpose=purpose, owner=owner)
    if challenge is None:
        raise forms.ValidationError(CHALLENGE_GONE)
    try:
        return passkey_verify(
            credential=credential,
            challenge=challenge,
            user=user,
            ip=client_ip(request),
            device=code_device(request, user=user) if user is not None else None,
        )
    except DomainError as error:
        raise forms.ValidationError(refusal_message(error)) from error


class PasskeyForm(forms.Form):
    """A passkey's answer (the JSON of the browser's PublicKeyCredential), filled in by
    static/src/js/passkeys.js. `user` None: a passwordless sign-in."""

    credential = forms.CharField(widget=forms.HiddenInput, max_length=20_000)
    trust = forms.BooleanField(required=False)  # worded, or removed, by trust_field_offer

    def __init__(
        self,
        *args: Any,
        request: HttpRequest,
        purpose: str,
        owner: str,
        user: User | None,
        sign_in: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.request, self.purpose, self.owner, self.user = request, purpose, owner, user
        self.sign_in = sign_in
        self.passkey: Passkey | None = None
        trust_field_offer(self, sign_in=sign_in)

    def clean_credential(self) -> str:
        credential = self.cleaned_data["credential"]
        try:
            self.passkey = passkey_check(
                self.request,
                credential=credential,
                purpose=self.purpose,
                owner=self.owner,
                user=self.user,
            )
        except forms.ValidationError:
            if self.sign_in and self.user is not None:
                failed_sign_in_record(
                    user_id=self.user.pk,
                    stage="second_factor",
                    ip=client_ip(self.request),
                    user_agent=self.request.META.get("HTTP_USER_AGENT", ""),
                )
            raise
        return credential
