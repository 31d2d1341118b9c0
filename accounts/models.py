"""The user: email is the login; everything tenant-related hangs off memberships."""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.text import is_arabic_letter, name_initial, typed_name

EMAIL_MAX_LENGTH = 254


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        # Case-insensitive login: emails are stored lower-cased, so normalise the input too.
        return self.get(email=(username or "").strip().lower())

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=normalize_email(email), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        """Used by `createsuperuser`. Prefer `accounts.services.user_signup` elsewhere:
        it also creates the personal tenant."""
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


def normalize_email(email: str) -> str:
    """Emails are compared case-insensitively everywhere, so they are stored lower-cased."""
    return email.strip().lower()


def is_email(email: str) -> bool:
    """Whether `email` is an address the user model would store: what an identity
    provider asserts passes no form, and a malformed one must be refused, not fail
    the account's `full_clean` with a 500."""
    try:
        validate_email(email)
    except ValidationError:
        return False
    return len(email) <= EMAIL_MAX_LENGTH


@cache
def time_zone_names() -> frozenset[str]:
    """The IANA zone names this system knows (read once: it scans the tz database)."""
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in time_zone_names():
        raise ValidationError(_("Choose a time zone from the list."), code="invalid_time_zone")


def locale_or_default(*, language: str, time_zone: str) -> tuple[str, str]:
    """`(language, time_zone)` with anything unknown replaced by the defaults: blank
    (the browser's language) and UTC. For guesses (the sign-up page's browser zone),
    which must never stop a sign-up."""
    try:
        # "de-AT" becomes "de"; LookupError for a language we don't have.
        language = translation.get_supported_language_variant(language) if language else ""
    except LookupError:
        language = ""
    return language, time_zone if time_zone in time_zone_names() else "UTC"


class User(AbstractBaseUser, PermissionsMixin):
    # Translated names (Django's own words): the password similarity check says them.
    email = models.EmailField(_("email address"), max_length=EMAIL_MAX_LENGTH, unique=True)
    name = models.CharField(_("name"), max_length=150)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    # Storage key of the current avatar (`tenant-<id>/<nanoid>.png`), empty when none.
    avatar = models.CharField(max_length=255, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="Designates whether the user can sign in to the admin site."
    )
    date_joined = models.DateTimeField(default=timezone.now)
    # Pages and emails in this language; blank: the browser's (Accept-Language).
    language = models.CharField(
        _("language"), max_length=10, blank=True, choices=settings.LANGUAGES
    )
    # An IANA name ("Europe/Berlin"): every time shown to this person, and in their emails.
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        constraints = [
            # Stored lower-cased, so the plain unique index is also case-insensitive.
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="accounts_user_email_lowercase"
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = normalize_email(self.email)
        # Whatever set it (a form, SSO claims, a SCIM directory): no bidi controls.
        self.name = typed_name(self.name)
        super().save(*args, **kwargs)

    @property
    def is_email_verified(self) -> bool:
        return self.email_verified_at is not None

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return (self.name or self.email).split(" ")[0]

    @property
    def initials(self) -> str:
        """ "Ada Lovelace" → "AL". In Arabic script the article "ال" is not the name's
        letter ("ليلى الحسن" gave "لا", which is the word "no", lam and alef drawn as
        one ligature), and a zero-width non-joiner keeps the two letters apart."""
        parts = [p for p in (self.name or self.email).replace("@", " ").split() if p]
        letters = [name_initial(p) for p in parts[:2]]
        if any(is_arabic_letter(letter) for letter in letters):
            return "\u200c".join(letters)
        return "".join(letters) or "?"


# --- Email: tokens, deliveries, known devices ---------------------------------


class EmailToken(models.Model):
    """A single-use link sent by email. Only the SHA-256 of the token is stored,
    so a database dump cannot be used to verify, reset or change anything."""

    class Purpose(models.TextChoices):
        VERIFY_EMAIL = "verify_email", "Verify email"
        EMAIL_CHANGE = "email_change", "Change email"
        PASSWORD_RESET = "password_reset", "Reset password"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_tokens")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The address the token proves (verification and email change).
    email = models.EmailField(max_length=254, blank=True)
    # HMAC of the password hash when issued: any password change invalidates the token.
    password_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["user", "purpose", "-created_at"], name="accounts_emailtoken_recent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} for {self.user_id}"

    def is_expired(self, *, now: Any = None) -> bool:
        return (now or timezone.now()) >= self.expires_at


class EmailDelivery(models.Model):
    """One email on its way out: the durable record the worker sends from.

    Bodies are cleared once sent (they can hold live links); failed ones keep
    theirs so an administrator can retry them after a provider outage."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RETRYING = "retrying", "Waiting to retry"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    to = models.JSONField(default=list)
    template = models.CharField(max_length=200)
    subject = models.CharField(max_length=998)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    provider_message_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "email deliveries"
        indexes = [models.Index(fields=["status", "-created_at"], name="accounts_delivery_status")]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)}"


class PendingSignup(models.Model):
    """A sign-up waiting for its emailed link (ACCOUNTS_SIGNUP_EMAIL_CONFIRMATION).

    No user exists until the link is used, so the sign-up form can answer the same
    for every address. Only the SHA-256 of the token and the password's *hash* are
    stored; the hash is blanked once the link is used, and expired rows are deleted."""

    email = models.EmailField(max_length=254, db_index=True)
    name = models.CharField(max_length=150)
    password_hash = models.CharField(max_length=128, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # SHA-256 of the cookie the sign-up form set in the browser that filled it in: the
    # link is one click there; anywhere else its page has the holder choose the password.
    browser_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)
    # Guessed on the sign-up page; given to the user the link creates.
    language = models.CharField(max_length=10, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC")

    def __str__(self) -> str:
        return f"Sign-up of {self.email}"

    def is_expired(self, *, now: Any = None) -> bool:
        return (now or timezone.now()) >= self.expires_at


class KnownDevice(models.Model):
    """A (user agent, IP network) pair a user has signed in from: a sign-in from a
    pair not seen before triggers the new-device notice. Kept apart from session rows
    because those are deleted by cleanup, and "never seen" must mean never."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="known_devices")
    fingerprint = models.CharField(max_length=64, editable=False)
    user_agent = models.CharField(max_length=500, blank=True)
    ip_network = models.CharField(max_length=64, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "fingerprint"], name="accounts_knowndevice_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ip_network} for {self.user_id}"
