"""Reads: a person's two-factor state, and their recent security activity."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import BooleanField, Case, Exists, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from core.audit import personal_tenant_of
from core.models import AuditEvent
from mfa.audit import MfaAction
from mfa.models import FailedSignIn, Passkey, RecoveryCode, TOTPDevice, TrustedBrowser
from sessions_app.authentication import Factor
from sessions_app.models import Session

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class TwoFactorStatus:
    totp: TOTPDevice | None
    passkeys: list[Passkey]
    recovery_codes_left: int

    @property
    def enabled(self) -> bool:
        """Sign-in asks for a second factor."""
        return self.totp is not None or bool(self.passkeys)

    @property
    def methods(self) -> list[str]:
        """The second factors sign-in and re-authentication offer, best first."""
        methods = [Factor.PASSKEY.value] if self.passkeys else []
        if self.totp is not None:
            methods.append(Factor.TOTP.value)
        if self.enabled and self.recovery_codes_left:
            methods.append(Factor.RECOVERY_CODE.value)
        return methods


def two_factor_status(*, user: User) -> TwoFactorStatus:
    """Three small queries: the active app, the passkeys, the unused recovery codes."""
    totp = TOTPDevice.objects.filter(user=user).active().first()
    passkeys = list(Passkey.objects.filter(user=user).order_by("created_at", "pk"))
    left = (
        RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
        if totp or passkeys
        else 0
    )
    return TwoFactorStatus(totp=totp, passkeys=passkeys, recovery_codes_left=left)


def second_step_required(*, user: User) -> bool:
    """Whether signing in as `user` takes a second factor after the password."""
    return (
        TOTPDevice.objects.filter(user=user).active().exists()
        or Passkey.objects.filter(user=user).exists()
    )


def two_factor_enabled(user_ref: str) -> Case:
    """An expression for querysets: whether the person at `user_ref` (a field path to a
    user, e.g. "user" on memberships) has two-factor sign-in on. Subqueries, no extra query."""
    app = TOTPDevice.objects.filter(user=OuterRef(user_ref)).active()
    passkey = Passkey.objects.filter(user=OuterRef(user_ref))
    return Case(
        When(Q(Exists(app)) | Q(Exists(passkey)), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def trusted_browsers_of(*, user: User) -> list[TrustedBrowser]:
    """The browsers that skip `user`'s second step today (mfa.services_trusted), newest
    first; expired ones are left out."""
    now = timezone.now()
    return list(
        TrustedBrowser.objects.filter(
            user=user,
            expires_at__gt=now,
            created_at__gt=now - timedelta(days=settings.MFA_TRUST_DAYS),
        ).order_by("-created_at", "-pk")
    )


def passkeys_of(*, user: User) -> list[Passkey]:
    return list(Passkey.objects.filter(user=user).order_by("created_at", "pk"))


# Whole titles, not "Failed sign-in: " + the stage's label: the stage's case and
# grammar inside the sentence differ between languages.
FAILED_SIGN_IN_TITLES: dict[str, Promise] = {
    FailedSignIn.Stage.PASSWORD: gettext_lazy("Failed sign-in: wrong password"),
    FailedSignIn.Stage.SECOND_FACTOR: gettext_lazy("Failed sign-in: wrong two-factor code"),
    FailedSignIn.Stage.REAUTH_PASSWORD: gettext_lazy("Failed “Confirm it's you”: wrong password"),
    FailedSignIn.Stage.REAUTH_CODE: gettext_lazy(
        "Failed “Confirm it's you”: wrong two-factor code"
    ),
}


@dataclass(frozen=True)
class Activity:
    """One line of the security page's "Recent activity"."""

    at: datetime
    kind: str  # "sign_in", "failed" or "change"
    title: str
    device: str = ""
    ip: str = ""
    details: list[str] = field(default_factory=list)


def security_activity(*, user: User, limit: int = 20) -> list[Activity]:
    """Sign-ins (with device, address and factors), failed attempts and two-factor
    changes, newest first; three small indexed queries plus the personal workspace."""
    items = [
        Activity(
            at=s.created_at,
            kind="sign_in",
            title=gettext("Signed in"),
            device=s.device_said,
            ip=s.ip_address or "",
            details=s.factors,
        )
        for s in Session.objects.filter(user=user).order_by("-created_at", "-pk")[:limit]
    ]
    items += [
        Activity(
            at=f.created_at,
            kind="failed",
            title=str(FAILED_SIGN_IN_TITLES.get(f.stage, gettext("Failed sign-in"))),
            device=f.device_said,
            ip=f.ip_address or "",
        )
        for f in FailedSignIn.objects.filter(user=user).order_by("-created_at", "-pk")[:limit]
    ]
    tenant = personal_tenant_of(user_id=user.pk)
    if tenant is not None:
        events = AuditEvent.objects.filter(tenant=tenant, action__in=MfaAction.values).order_by(
            "-created_at", "-pk"
        )[:limit]
        items += [
            Activity(
                at=e.created_at,
                kind="change",
                title=str(MfaAction(e.action).label),
                ip=e.actor_ip or "",
                details=[] if e.actor_id in (None, user.pk) else [gettext("by an operator")],
            )
            for e in events
        ]
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]
