from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate, password_validation
from django.http import HttpRequest

from accounts.models import User, normalize_email
from accounts.services import user_signup

INPUT = {"class": "input"}


class SignUpForm(forms.Form):
    name = forms.CharField(max_length=150, widget=forms.TextInput(INPUT | {"autocomplete": "name"}))
    email = forms.EmailField(widget=forms.EmailInput(INPUT | {"autocomplete": "email"}))
    password = forms.CharField(
        strip=False,
        widget=forms.PasswordInput(INPUT | {"autocomplete": "new-password"}),
        help_text="At least 10 characters; not a common password.",
    )

    def clean_email(self) -> str:
        email = normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email=email).exists():
            raise forms.ValidationError(
                "An account with this email already exists. Sign in instead."
            )
        return email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            probe = User(email=cleaned.get("email", ""), name=cleaned.get("name", ""))
            try:
                password_validation.validate_password(password, probe)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned

    def save(self) -> User:
        data = self.cleaned_data
        return user_signup(email=data["email"], password=data["password"], name=data["name"])


class SignInForm(forms.Form):
    email = forms.EmailField(widget=forms.EmailInput(INPUT | {"autocomplete": "email"}))
    password = forms.CharField(
        strip=False, widget=forms.PasswordInput(INPUT | {"autocomplete": "current-password"})
    )

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        self.request = request
        self.user: User | None = None
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        email, password = cleaned.get("email"), cleaned.get("password")
        if email and password:
            self.user = authenticate(self.request, email=email, password=password)
            if self.user is None:
                raise forms.ValidationError("That email and password don't match an account.")
        return cleaned
