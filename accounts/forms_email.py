"""Forms for the email workflows: change email, forgot password, reset password."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from accounts.forms import PASSWORD_HELP, PasswordField, ask_password_only_if_set
from accounts.models import User, normalize_email
from accounts.services_security import current_password_check

INPUT = {"class": "input"}


class EmailChangeForm(forms.Form):
    new_email = forms.EmailField(
        label=_("New email address"),
        max_length=254,
        widget=forms.EmailInput(INPUT | {"autocomplete": "email"}),
        help_text=_("We'll send a link there. Your current address stays until you click it."),
        error_messages={"required": _("Enter your new email address.")},
    )
    password = PasswordField(
        label=_("Current password"),
        autocomplete="current-password",
        error_messages={"required": _("Enter your current password.")},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        ask_password_only_if_set(self, field="password", user=user)

    def clean_new_email(self) -> str:
        email = normalize_email(self.cleaned_data["new_email"])
        if email == self.user.email:
            raise forms.ValidationError(_("That is already your email address."))
        # An address of another account is not refused here: the service answers as
        # for a free one, so this form cannot probe for accounts.
        return email

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        current_password_check(user=self.user, password=password)
        return password


class PasswordForgotForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(INPUT | {"autocomplete": "email", "autofocus": True}),
        error_messages={"required": _("Enter the email address you sign in with.")},
    )


class PasswordResetForm(forms.Form):
    password1 = PasswordField(
        label=_("New password"),
        autocomplete="new-password",
        attrs={"autofocus": True},
        help_text=PASSWORD_HELP,
        error_messages={"required": _("Choose a new password.")},
    )
    password2 = PasswordField(
        label=_("Repeat the new password"),
        autocomplete="new-password",
        error_messages={"required": _("Enter the new password again.")},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data  # what Form.clean() returns; typed without None
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        # Every problem at once, as on the password change form.
        if password1:
            try:
                password_validation.validate_password(password1, self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords don't match."))
        return cleaned
