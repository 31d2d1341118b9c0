"""Passkeys: register, verify an assertion, rename, remove.

Verification is py_webauthn's: the origin and RP ID, the single-use challenge the
caller took (`mfa.passkeys.challenge_take`), user presence and verification, the
signature against the stored public key, and a sign count that never goes down (a
lower one means a cloned authenticator, and is refused).
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from webauthn import verify_authentication_response, verify_registration_response
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import (
    InvalidAuthenticationResponse,
    InvalidCBORData,
    InvalidJSONStructure,
    InvalidRegistrationResponse,
)

from core.audit import audit_record_for_user
from core.i18n import said_later
from core.security_log import security_event
from mfa.audit import MfaAction
from mfa.exceptions import PasskeyRefused, TwoFactorStateError
from mfa.models import Passkey, RecoveryCode, TOTPDevice
from mfa.passkeys import credential_id_of, expected_origins, passkey_default_name, rp_id
from mfa.selectors import second_step_required
from mfa.services import (
    attempt_count,
    change_record,
    recovery_codes_replace,
    removal_assert_allowed,
    state_changed,
    user_lock,
)
from ratelimit.services import ratelimit_release

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger("pacetrack.mfa")

NAME_MAX = 60
# Malformed input raises these (or ValueError/KeyError from the parsers) before any check.
_BAD_INPUT = (InvalidJSONStructure, InvalidCBORData, ValueError, KeyError, TypeError)
NOT_VERIFIED = gettext_lazy(
    "That passkey could not be verified. Try again, or use another way to sign in."
)


def _credential(raw: str) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except ValueError:
        raise PasskeyRefused(NOT_VERIFIED) from None
    if not isinstance(data, dict):
        raise PasskeyRefused(NOT_VERIFIED)
    return data


def passkey_register(
    *, user: User, name: str, credential: str, challenge: bytes, user_agent: str
) -> tuple[Passkey, list[str]]:
    """Add the passkey the browser just created (`user_agent`'s: an empty name is named
    after its system). Returns it and, when it is the person's first second factor and
    they hold no recovery codes, new codes (shown once)."""
    data = _credential(credential)
    try:
        verified = verify_registration_response(
            credential=data,
            expected_challenge=challenge,
            expected_rp_id=rp_id(),
            expected_origin=expected_origins(),
            require_user_verification=True,
        )
    except (InvalidRegistrationResponse, *_BAD_INPUT) as error:
        security_event("passkey.registration_refused", user_id=user.pk, reason=str(error)[:200])
        raise PasskeyRefused(
            gettext(
                "Your browser's answer could not be verified, so no passkey was added. Try again."
            )
        ) from None
    credential_id = bytes_to_base64url(verified.credential_id)
    response = data.get("response") if isinstance(data.get("response"), dict) else {}
    transports = [t for t in (response or {}).get("transports", []) if isinstance(t, str)][:8]
    with transaction.atomic():
        user_lock(user)
        if Passkey.objects.filter(credential_id=credential_id).exists():
            raise PasskeyRefused(gettext("This passkey is already registered."))
        had_method = second_step_required(user=user)
        passkey = Passkey.objects.create(
            user=user,
            name=_name_free(
                user=user,
                name=(name.strip() or passkey_default_name(user_agent=user_agent))[:NAME_MAX],
            ),
            credential_id=credential_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            transports=transports,
            aaguid=str(verified.aaguid or ""),
            backed_up=bool(verified.credential_backed_up),
        )
        change_record(
            user=user,
            action=MfaAction.PASSKEY_ADDED,
            acting_user=user,
            target=passkey,
            detail=said_later(lambda: gettext("Its name is “%(name)s”.") % {"name": passkey.name}),
            after={"name": passkey.name},
        )
        codes: list[str] = []
        if not had_method:
            state_changed(user=user, enabled=True)
            if not RecoveryCode.objects.filter(user=user, used_at__isnull=True).exists():
                codes = recovery_codes_replace(user=user, acting_user=user)
    return passkey, codes


def passkey_verify(
    *,
    credential: str,
    challenge: bytes,
    user: User | None,
    ip: str | None,
    device: str | None = None,
) -> Passkey:
    """The passkey that signed this assertion, once verified; `user` None for a
    passwordless sign-in (any active person's passkey), else it must be theirs.

    Failures count against the address's code budget (and the account's, when known),
    or against this browser's when it has signed in to the account before (`device`)."""
    counted = attempt_count(user, ip, device=device)
    data = _credential(credential)
    credential_id = credential_id_of(data)
    with transaction.atomic():
        passkey = (
            Passkey.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(credential_id=credential_id)
            .first()
            if credential_id
            else None
        )
        if passkey is None or not passkey.user.is_active:
            security_event("passkey.unknown", ip=ip or "")
            raise PasskeyRefused(NOT_VERIFIED)
        if user is not None and passkey.user_id != user.pk:
            security_event("passkey.foreign", user_id=user.pk, owner_id=passkey.user_id)
            raise PasskeyRefused(NOT_VERIFIED)
        try:
            verified = verify_authentication_response(
                credential=data,
                expected_challenge=challenge,
                expected_rp_id=rp_id(),
                expected_origin=expected_origins(),
                credential_public_key=bytes(passkey.public_key),
                credential_current_sign_count=passkey.sign_count,
                require_user_verification=True,
            )
        except (InvalidAuthenticationResponse, *_BAD_INPUT) as error:
            security_event(
                "passkey.refused", user_id=passkey.user_id, ip=ip or "", reason=str(error)[:200]
            )
            raise PasskeyRefused(NOT_VERIFIED) from None
        passkey.sign_count = verified.new_sign_count
        passkey.last_used_at = timezone.now()
        passkey.save(update_fields=["sign_count", "last_used_at"])
    for tier, identity, usage in counted:
        ratelimit_release(tier=tier, identity=identity, usage=usage)
    return passkey


def _name_free(*, user: User, name: str, passkey_id: int | None = None) -> str:
    """`name`, or "name (2)", "name (3)"… when another of the person's passkeys has it:
    two rows of one name on the security page cannot be told apart, nor which to
    remove. Called under the person's lock (`user_lock`)."""
    others = Passkey.objects.filter(user=user)
    if passkey_id is not None:
        others = others.exclude(pk=passkey_id)
    taken = {n.casefold() for n in others.values_list("name", flat=True)}
    candidate, number = name, 2
    while candidate.casefold() in taken:
        suffix = f" ({number})"
        candidate = name[: NAME_MAX - len(suffix)].rstrip() + suffix
        number += 1
    return candidate


@transaction.atomic
def passkey_rename(*, user: User, passkey_id: int, name: str) -> Passkey:
    user_lock(user)  # as passkey_register: the name is checked free under it, and the
    # passkey read after it (one removed in another tab meanwhile is gone, not a 500)
    passkey = Passkey.objects.filter(user=user, pk=passkey_id).first()
    if passkey is None:
        raise TwoFactorStateError(gettext("That passkey doesn't exist any more."))
    before = passkey.name
    passkey.name = _name_free(
        user=user, name=(name.strip() or passkey.name)[:NAME_MAX], passkey_id=passkey.pk
    )
    passkey.save(update_fields=["name"])
    if passkey.name != before:  # in the person's log; no email for a label
        audit_record_for_user(
            user_id=user.pk,
            action=MfaAction.PASSKEY_RENAMED,
            acting_user=user,
            target=passkey,
            target_label=user.email,
            before={"name": before},
            after={"name": passkey.name},
        )
    return passkey


@transaction.atomic
def passkey_remove(*, user: User, passkey_id: int, acting_user: User) -> None:
    """Remove one of `user`'s passkeys; without another method left, two-factor sign-in
    is off and the recovery codes go with it."""
    user_lock(user)
    passkey = Passkey.objects.filter(user=user, pk=passkey_id).first()
    if passkey is None:
        raise TwoFactorStateError(gettext("That passkey doesn't exist any more."))
    name = passkey.name
    others = (
        Passkey.objects.filter(user=user).exclude(pk=passkey.pk).exists()
        or TOTPDevice.objects.filter(user=user).active().exists()
    )
    removal_assert_allowed(user=user, remaining=others)
    passkey.delete()
    change_record(
        user=user,
        action=MfaAction.PASSKEY_REMOVED,
        acting_user=acting_user,
        detail=said_later(lambda: gettext("It was named “%(name)s”.") % {"name": name}),
        after={"name": name},
    )
    if not others:
        RecoveryCode.objects.filter(user=user).delete()
        state_changed(user=user, enabled=False, acting_user=acting_user)
