"""Sign-up, sign-in, profile and password forms. Forms validate; save() calls a service."""

from __future__ import annotations

import os
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.http import sign_in_refusal
from accounts.models import User, locale_or_default, normalize_email, time_zone_names
from accounts.services import user_locale_set, user_signup
from accounts.services_security import current_password_check, password_change_by_user
from accounts.services_signup import signup_request
from core import widgets
from core.text import typed_name
from mfa.selectors import second_step_required

if TYPE_CHECKING:
    from core.types import AuthenticatedRequest

INPUT = {"class": "input"}
# One message for unknown email, wrong password and inactive account: no account probing.
BAD_CREDENTIALS = _("That email and password don't match an account. Check both and try again.")
# Longer input is refused by the form, before any hasher sees it: Argon2 (and the
# dummy hash for unknown emails) over megabytes of input is CPU we would spend for
# an attacker. Far above any real password or passphrase.
PASSWORD_MAX_LENGTH = 4096


def _password_too_long() -> str:
    return gettext("Passwords can be at most %(limit)s characters long.") % {
        "limit": number_format(PASSWORD_MAX_LENGTH, force_grouping=True)
    }


PASSWORD_TOO_LONG = lazy(_password_too_long, str)()


def _password_help() -> str:
    """The one hint beside every new-password field (sign-up, the account page, a reset by
    link). Its length is read from AUTH_PASSWORD_VALIDATORS, which every one of them
    applies, so a project that changes `min_length` in settings is not told "10" here."""
    lengths = [
        validator.min_length
        for validator in password_validation.get_default_password_validators()
        if isinstance(validator, password_validation.MinimumLengthValidator)
    ]
    if not lengths:
        return gettext("Not too common and not like your name or email.")
    return ngettext(
        "At least %(count)s character, not too common and not like your name or email.",
        "At least %(count)s characters, not too common and not like your name or email.",
        max(lengths),
    ) % {"count": number_format(max(lengths))}


PASSWORD_HELP = lazy(_password_help, str)()


class PasswordField(forms.CharField):
    """Every password input of the project: never stripped, and at most
    PASSWORD_MAX_LENGTH characters (a field error, so clean_*() never hashes it)."""

    def __init__(self, *, autocomplete: str, attrs: dict[str, Any] | None = None, **kwargs: Any):
        kwargs.setdefault("strip", False)
        kwargs.setdefault("max_length", PASSWORD_MAX_LENGTH)
        kwargs.setdefault(
            "widget", forms.PasswordInput(INPUT | {"autocomplete": autocomplete} | (attrs or {}))
        )
        kwargs["error_messages"] = {
            "required": _("Enter your password."),
            "max_length": PASSWORD_TOO_LONG,
        } | kwargs.get("error_messages", {})
        super().__init__(**kwargs)


def ask_password_only_if_set(form: forms.Form, *, field: str, user: AbstractBaseUser) -> None:
    """Someone who signed up with Google, Microsoft, GitHub or their organisation's SSO
    has no password to type: the field goes, and the re-authentication every such view
    requires (`mfa.decorators.reauth_required`, which offers their provider) is their
    proof. Without this they could not change their email, delete their account or
    hand an organisation on."""
    if not user.has_usable_password():
        del form.fields[field]


class SignUpForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=150,
        widget=forms.TextInput(INPUT | {"autocomplete": "name", "autofocus": True}),
        error_messages={"required": _("Enter your name.")},
    )
    email = forms.EmailField(
        label=_("Work email"),
        max_length=254,
        widget=forms.EmailInput(INPUT | {"autocomplete": "email"}),
        error_messages={"required": _("Enter your work email.")},
    )
    password = PasswordField(
        label=_("Password"),
        autocomplete="new-password",
        help_text=PASSWORD_HELP,
        error_messages={"required": _("Choose a password.")},
    )
    # The browser's IANA zone, filled in by static/src/js/time-zone.js; a guess, so
    # anything unknown (or nothing, without JavaScript) becomes UTC.
    time_zone = forms.CharField(
        required=False, widget=forms.HiddenInput(attrs={"data-browser-time-zone": ""})
    )

    def focus_email(self) -> None:
        """Back from "Check your email" to correct the address: typing goes on there."""
        self.fields["name"].widget.attrs.pop("autofocus", None)
        self.fields["email"].widget.attrs["autofocus"] = True

    def clean_name(self) -> str:
        name = typed_name(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(_("Tell us your name."))
        return name

    def clean_time_zone(self) -> str:
        zone = locale_or_default(language="", time_zone=self.cleaned_data["time_zone"])[1]
        return time_zone_current_name(zone)

    def _locale(self) -> dict[str, str]:
        """The page's language (LocaleMiddleware chose it from the browser) and zone."""
        return {
            "language": translation.get_language() or "",
            "time_zone": self.cleaned_data.get("time_zone") or "UTC",
        }

    def clean_email(self) -> str:
        email = normalize_email(self.cleaned_data["email"])
        # With email confirmation every address gets the same answer (the owner of a
        # taken one is told by email). Instant sign-up has to say it, and so does the
        # invitation form, whose locked address came from the invite.
        says_taken = (
            not settings.ACCOUNTS_SIGNUP_EMAIL_CONFIRMATION or self.fields["email"].disabled
        )
        if says_taken and User.objects.filter(email=email).exists():
            # The template adds the "Sign in instead" link to this message.
            raise forms.ValidationError(
                _("An account with this email already exists."), code="email_taken"
            )
        return email

    @property
    def email_taken(self) -> bool:
        return self.has_error("email", code="email_taken")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data  # what Form.clean() returns; typed without None
        password = cleaned.get("password")
        if password:
            probe = User(email=cleaned.get("email", ""), name=cleaned.get("name", ""))
            try:
                password_validation.validate_password(password, probe)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned

    def save(self) -> User:
        """Instant sign-up: the account exists (and is signed in) at once."""
        data = self.cleaned_data
        return user_signup(
            email=data["email"], password=data["password"], name=data["name"], **self._locale()
        )

    def send_confirmation(self, *, browser_key: str) -> None:
        """Sign-up by email: the account is created when the emailed link is used."""
        data = self.cleaned_data
        signup_request(
            email=data["email"],
            password=data["password"],
            name=data["name"],
            browser_key=browser_key,
            **self._locale(),
        )


class ChoosePasswordForm(forms.Form):
    """An emailed link that proves an address (sign-up, verification), opened away from
    the browser that asked for it: its holder chooses the password."""

    password = PasswordField(
        label=_("Choose a password"),
        autocomplete="new-password",
        help_text=PASSWORD_HELP,
        required=False,
    )


class SignInForm(forms.Form):
    errors_id = "sign-in-error"  # the refusal's alert (elements/form_errors.html)
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        # "webauthn": the browser may offer this site's passkeys here (static/src/js/passkeys.js).
        widget=forms.EmailInput(INPUT | {"autocomplete": "username webauthn", "autofocus": True}),
        error_messages={"required": _("Enter your email address.")},
    )
    password = PasswordField(label=_("Password"), autocomplete="current-password")

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        self.request = request
        self.user: User | None = None
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.initial.get("email"):
            self._focus_password()  # an invitation's link brings the address

    def _refused_fields(self) -> None:
        """Both fields are read out with the refusal, which is the form's (the page
        cannot say which field was wrong): a screen reader heard only "Password, edit,
        protected" after a failed sign-in. The password, the usual slip, is marked
        invalid (the first invalid field takes the focus, static/src/js)."""
        for name in ("email", "password"):
            self.fields[name].widget.attrs["aria-describedby"] = self.errors_id
        self.fields["password"].widget.attrs["aria-invalid"] = "true"

    def _focus_password(self) -> None:
        """Typing goes on in the password: the email is there (and kept on a refusal)."""
        self.fields["email"].widget.attrs.pop("autofocus", None)
        self.fields["password"].widget.attrs["autofocus"] = True

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data  # what Form.clean() returns; typed without None
        email, password = cleaned.get("email"), cleaned.get("password")
        if email and password:
            # ModelBackend hashes the password even for an unknown email (Django
            # #20760), so both failures take about as long; it also refuses
            # inactive users.
            self.user = authenticate(self.request, email=email, password=password)
            if self.user is None:
                # Either may be wrong (the page cannot say which); the usual slip is
                # the password, typed unseen.
                self._focus_password()
                self._refused_fields()
                raise forms.ValidationError(BAD_CREDENTIALS, code="invalid_login")
            refusal = sign_in_refusal(self.request, self.user, method="password")
            if refusal:
                self.user = None
                self._refused_fields()
                raise forms.ValidationError(refusal, code="sign_in_refused")
        return cleaned


class AdminLoginForm(AdminAuthenticationForm):
    """`/admin/login/` with the same email, password bound and sign-in rules as the app's
    form (set as `admin.site.login_form` in AccountsConfig.ready())."""

    # An EmailField as on the app's form, not Django's UsernameField: its NFKC step
    # signed "ｓam@…" (fullwidth s) in as sam@…, each such spelling with a failure budget
    # of its own (the limiter counts the address as posted), so staff accounts had no
    # per-account limit here. An address signs in as stored, trimmed and lower-cased.
    username = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = PasswordField(
        label=_("Password"),
        autocomplete="current-password",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        # This form has no second step: an account with one signs in on the app's page.
        if second_step_required(user=user):
            raise forms.ValidationError(
                _(
                    "This account uses two-factor authentication: sign in on the sign-in "
                    "page (/auth/sign-in/), then open the admin."
                ),
                code="two_factor",
            )
        # An organisation that requires its own sign-in refuses a password here too: a
        # staff account on its domain had a full session through this page.
        # The admin's login view always passes its request (the form types it optional).
        request = cast(HttpRequest, self.request)
        refusal = sign_in_refusal(request, user, method="password")
        if refusal:
            raise forms.ValidationError(refusal, code="sign_in_refused")


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name"]
        widgets = {"name": forms.TextInput(INPUT | {"autocomplete": "name"})}
        labels = {"name": _("Name")}
        error_messages = {"name": {"required": _("Enter your name.")}}

    def clean_name(self) -> str:
        name = typed_name(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(_("Your name can't be empty."))
        return name


# Names the tz database keeps for old software, not places a person picks: "Factory"
# showed times as "21:34 -00", "localtime" is the server's own zone, "US/Pacific" and
# "Etc/GMT+5" repeat a zone under another name. Region-less names go too, but UTC.
_NOT_OFFERED_PREFIXES = ("Etc/", "SystemV/", "US/", "Canada/", "Brazil/", "Chile/", "Mexico/")


def _offered(name: str) -> bool:
    if name == "UTC":
        return True
    places = _zones_of_countries()
    if places is not None:
        return name in places
    return "/" in name and not name.startswith(_NOT_OFFERED_PREFIXES)


def time_zone_current_name(name: str) -> str:
    """The name the menu offers for `name`: Chromium still reports "Asia/Calcutta",
    "Europe/Kiev", "America/Buenos_Aires", which the tz database keeps as links to
    "Asia/Kolkata", "Europe/Kyiv"… (its tzdata.zi). `name` itself when offered or
    when no link leads to an offered name."""
    if _offered(name):
        return name
    target = _zone_links().get(name, "")
    return target if _offered(target) else name


@cache
def _zone_links() -> dict[str, str]:
    """Old name → current name, from the tz database's tzdata.zi ("L target link")."""
    rows = (line.split() for line in _tz_database_file("tzdata.zi") or [])
    return {parts[2]: parts[1] for parts in rows if len(parts) == 3 and parts[0] == "L"}


@cache
def _zones_of_countries() -> frozenset[str] | None:
    """The tz database's zone.tab: one name per place people live, each under its
    current spelling, so the menu offers "Kolkata" once, not also "Calcutta", and
    "Asmara" without "Asmera". None where the system has no such file (the prefix
    rule above then leaves out the oldest names only)."""
    lines = _tz_database_file("zone.tab")
    if lines is None:
        return None
    return frozenset(
        line.split("\t")[2].strip() for line in lines if line.strip() and not line.startswith("#")
    )


def _tz_database_file(name: str) -> list[str] | None:
    """The lines of one of the system tz database's files (where zoneinfo reads), or
    None where it has none."""
    for directory in zoneinfo.TZPATH:
        path = os.path.join(directory, name)
        if os.path.exists(path):
            with open(path, encoding="utf-8") as lines:
                return list(lines)
    return None


# The tz database's regions as a menu's groups, in the reader's language.
_ZONE_REGIONS = {
    "Africa": _("Africa"),
    "America": _("Americas"),
    "Antarctica": _("Antarctica"),
    "Arctic": _("Arctic"),
    "Asia": _("Asia"),
    "Atlantic": _("Atlantic Ocean"),
    "Australia": _("Australia"),
    "Europe": _("Europe"),
    "Indian": _("Indian Ocean"),
    "Pacific": _("Pacific Ocean"),
}


def _time_zone_choices(*, now: datetime) -> list[Any]:
    """The zones as a person looks for them: under their region, by city first, with
    today's offset ("Berlin (UTC+01:00)" in "Europe"). The flat list of 490
    "Region/City" names could not be searched by typing a city's first letters, and
    said nothing to someone who knows only their offset."""
    grouped = _zones_by_region(now.date())
    return [
        ("UTC", "UTC"),
        *[(_ZONE_REGIONS[region], zones) for region, zones in grouped],
    ]


@lru_cache(maxsize=2)
def _zones_by_region(day: date) -> list[tuple[str, list[tuple[str, str]]]]:
    """Built once a day per process: the offsets change with summer time."""
    noon = datetime.combine(day, time(12), tzinfo=UTC)
    regions: dict[str, list[tuple[str, str]]] = {}
    for name in time_zone_names():
        region = name.partition("/")[0]
        if _offered(name) and region in _ZONE_REGIONS:
            regions.setdefault(region, []).append((name, _zone_label(name, noon)))
    return [(region, sorted(regions[region], key=lambda z: z[1])) for region in _ZONE_REGIONS]


def _zone_label(name: str, at: datetime) -> str:
    """ "America/Argentina/Buenos_Aires" → "Buenos Aires, Argentina (UTC−03:00)"."""
    places = [part.replace("_", " ") for part in name.split("/")[1:]]
    offset = at.astimezone(zoneinfo.ZoneInfo(name)).utcoffset() or timedelta()
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "\u2212"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{', '.join(reversed(places))} (UTC{sign}{hours:02d}:{minutes:02d})"


class LocaleForm(forms.Form):
    """The account page's "Language and time zone" card."""

    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        widget=widgets.Select(INPUT),
        help_text=_("Pages and emails are shown in this language."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        widget=widgets.Select(INPUT),
        help_text=_("Every date and time is shown in this zone."),
        error_messages={
            "required": _("Choose a time zone from the list."),
            "invalid_choice": _("Choose a time zone from the list."),
        },
    )

    def __init__(self, *args: Any, request: AuthenticatedRequest, **kwargs: Any) -> None:
        user = request.user
        # An old name the browser gave at sign-up ("Asia/Calcutta") shows as the place
        # the menu offers ("Kolkata"), saved under that name with the form.
        current = time_zone_current_name(user.time_zone)
        kwargs.setdefault("initial", {"language": user.language, "time_zone": current})
        super().__init__(*args, **kwargs)
        self.request = request
        # Each language under its own name, so a person can find theirs in any language.
        languages = cast(forms.ChoiceField, self.fields["language"])
        languages.choices = [("", _("The browser's language")), *settings.LANGUAGES]
        zones = cast(forms.ChoiceField, self.fields["time_zone"])
        zones.choices = _time_zone_choices(now=timezone.now())
        if not _offered(current) and current in time_zone_names():
            # An old name no link leads from (US/Pacific) stays choosable as it is.
            old_name = (current, current.replace("_", " "))
            zones.choices = [old_name, *zones.choices]

    def save(self) -> User:
        return user_locale_set(
            user=self.request.user,
            language=self.cleaned_data["language"],
            time_zone=self.cleaned_data["time_zone"],
            acting_user=self.request.user,
        )


class PasswordChangeForm(forms.Form):
    current_password = PasswordField(
        label=_("Current password"),
        autocomplete="current-password",
        error_messages={"required": _("Enter your current password.")},
    )
    new_password = PasswordField(
        label=_("New password"),
        autocomplete="new-password",
        help_text=PASSWORD_HELP,
        error_messages={"required": _("Choose a new password.")},
    )
    confirm_password = PasswordField(
        label=_("Confirm new password"),
        autocomplete="new-password",
        error_messages={"required": _("Enter the new password again.")},
    )

    def __init__(self, *args: Any, request: AuthenticatedRequest, **kwargs: Any) -> None:
        self.request = request
        self.user = request.user
        super().__init__(*args, **kwargs)
        # Without one yet, this form sets the first password.
        ask_password_only_if_set(self, field="current_password", user=self.user)

    @property
    def sets_first_password(self) -> bool:
        return "current_password" not in self.fields

    def clean_current_password(self) -> str:
        password = self.cleaned_data["current_password"]
        current_password_check(user=self.user, password=password)
        return password

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data  # what Form.clean() returns; typed without None
        new, confirm = cleaned.get("new_password"), cleaned.get("confirm_password")
        # Every problem at once: a mismatch does not hide that the password is too
        # weak, to be found only on the next try.
        if new and new == cleaned.get("current_password"):
            self.add_error("new_password", _("Choose a password different from the current one."))
        elif new:
            try:
                password_validation.validate_password(new, self.user)
            except forms.ValidationError as error:
                self.add_error("new_password", error)
        if new and confirm and new != confirm:
            self.add_error("confirm_password", _("The two new passwords don't match."))
        return cleaned

    def save(self) -> int:
        """Change the password; returns how many other sessions were signed out."""
        return password_change_by_user(
            request=self.request, user=self.user, password=self.cleaned_data["new_password"]
        )
