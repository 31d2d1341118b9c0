"""Signal receivers: a few lines each, calling a service."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest

from core.client_ip import client_ip
from mfa.crypto import secret_rotate
from mfa.models import FailedSignIn, TOTPDevice
from mfa.services import failed_sign_in_record
from mfa.services_trusted import trusted_browser_forget, trusted_browsers_forget_all
from sessions_app.authentication import TRUSTED_BROWSER_KEY
from sessions_app.models import Session

# Revocations the person made themselves, though the sessions service names nobody.
_BY_THE_PERSON = {Session.RevokedReason.PASSWORD_CHANGED, Session.RevokedReason.PASSWORD_RESET}


def record_failed_sign_in(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """A wrong password for an existing, active account (the app's sign-in and the
    admin's): listed on that account's security page. Unknown addresses leave nothing."""
    if request is None:
        return
    email = str(credentials.get("email") or credentials.get("username") or "")
    try:
        user = get_user_model()._default_manager.get_by_natural_key(email)
    except get_user_model().DoesNotExist:
        return
    if not user.is_active:
        return
    failed_sign_in_record(
        user_id=user.pk,
        stage=FailedSignIn.Stage.PASSWORD,
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )


# One session signed out on purpose, not rotated at sign-in or cut by the device limit.
_SIGNED_OUT = {
    Session.RevokedReason.SIGNED_OUT,
    Session.RevokedReason.REVOKED_BY_USER,
    Session.RevokedReason.ADMIN,
}


def forget_session_trusted_browser(
    sender: Any, session: Session, reason: str, acting_user: Any = None, **kwargs: Any
) -> None:
    """A session signed out (from another device, by staff, or by its own "Sign out")
    takes the trust it signed in on or gave with it: a device someone signed out must
    not come back with the password alone. Its row's data says which (read again: the
    revoking code may hold the row without it)."""
    if reason not in _SIGNED_OUT:
        return
    data = Session.objects.filter(pk=session.pk).values_list("data", flat=True).first() or {}
    trusted_browser_id = data.get(TRUSTED_BROWSER_KEY)
    if isinstance(trusted_browser_id, int):
        trusted_browser_forget(user=session.user, pk=trusted_browser_id, acting_user=acting_user)


def forget_trusted_browsers(
    sender: Any, user: Any, reason: str, acting_user: Any = None, **kwargs: Any
) -> None:
    """Every other device was signed out (a password changed or reset, "Sign out all
    other devices", an operator): no browser keeps skipping the second step either."""
    if acting_user is None and reason in _BY_THE_PERSON:
        acting_user = user
    trusted_browsers_forget_all(user=user, acting_user=acting_user)


def rotate_totp_secrets(**kwargs: Any) -> dict[str, int]:
    """core.signals.encrypted_secrets_rotate: every authenticator app's secret under the
    current SECRET_KEY (a code's use does it too, but only for people who sign in)."""
    count = 0
    with transaction.atomic():
        for device in TOTPDevice.objects.select_for_update().only("pk", "secret_encrypted"):
            device.secret_encrypted = secret_rotate(device.secret_encrypted)
            device.save(update_fields=["secret_encrypted"])
            count += 1
    return {"authenticator-app secrets": count}
