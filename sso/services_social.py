"""Social sign-in: what a Google, Microsoft or GitHub identity may do to accounts.

The account-takeover rules live here. An identity signs in the account it is linked
to; a new one is linked only by someone who proved control of the account (signed in,
recently re-authenticated) and only when the provider asserts the email as verified.
An address that already has an account is never linked on the provider's word alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User, normalize_email
from accounts.services import user_signup
from core.audit import audit_record_for_user
from sso.audit import SsoAction
from sso.exceptions import LinkRefused, SignInRefused, SsoRequired
from sso.models import SocialIdentity
from sso.selectors import connection_for_email, sign_in_method_count, sso_requirement_get

if TYPE_CHECKING:
    from sso.social import ProviderIdentity

SSO_REQUIRED = (
    "{org} signs its members in with single sign-on. Use “Continue with SSO” on the sign-in page."
)


def _label(provider: str) -> str:
    return SocialIdentity.Provider(provider).label


def social_sign_in(*, identity: ProviderIdentity) -> User:
    """The account `identity` signs in: its linked one, or a new account for a verified
    address nobody uses yet. Refuses an address that has an account (the owner links
    it from their security page) and one the provider has not verified."""
    link = (
        SocialIdentity.objects.select_related("user")
        .filter(provider=identity.provider, subject=identity.subject)
        .first()
    )
    if link is not None:
        user = link.user
        if not user.is_active:
            raise SignInRefused("This account is closed.")
        requirement = sso_requirement_get(user=user)
        if requirement is not None:
            raise SsoRequired(SSO_REQUIRED.format(org=requirement[0].tenant.name))
        link.last_used_at = timezone.now()
        link.save(update_fields=["last_used_at"])
        return user
    provider = _label(identity.provider)
    email = normalize_email(identity.email)
    if not email:
        raise SignInRefused(f"Your {provider} account has no email address we can use.")
    if User.objects.filter(email=email).exists():
        # Never linked here, verified or not: a provider's claim is no proof that this
        # person controls the Pacetrack account (the classic takeover).
        raise LinkRefused(
            f"An account already uses {email}. Sign in with your password or passkey, then "
            f"connect {provider} on your account's security page."
        )
    if not identity.email_verified:
        raise SignInRefused(
            f"{provider} has not verified {email}. Verify it there, or sign up with a password."
        )
    connection = connection_for_email(email=email)
    if connection is not None and connection.require_sso:
        raise SsoRequired(SSO_REQUIRED.format(org=connection.tenant.name))
    return _social_sign_up(identity=identity, email=email)


@transaction.atomic
def _social_sign_up(*, identity: ProviderIdentity, email: str) -> User:
    try:
        with transaction.atomic():
            user = user_signup(
                email=email, password=None, name=identity.name or email.partition("@")[0]
            )
    except IntegrityError:  # the address got an account a moment ago
        raise LinkRefused(f"An account already uses {email}. Sign in instead.") from None
    user.email_verified_at = timezone.now()  # the provider verified it
    user.save(update_fields=["email_verified_at"])
    link = SocialIdentity.objects.create(
        user=user,
        provider=identity.provider,
        subject=identity.subject,
        email=email,
        last_used_at=timezone.now(),
    )
    audit_record_for_user(
        user_id=user.pk,
        action=SsoAction.SOCIAL_SIGNED_UP,
        acting_user=user,
        target=link,
        after={"provider": identity.provider},
    )
    return user


@transaction.atomic
def social_identity_connect(*, user: User, identity: ProviderIdentity) -> SocialIdentity:
    """Link `identity` to `user`, who is signed in (proof of control). The provider must
    assert its email as verified; an identity already linked elsewhere stays there."""
    provider = _label(identity.provider)
    if not identity.email_verified:
        raise LinkRefused(
            f"{provider} has not verified the email of that account, so it cannot be connected."
        )
    taken = SocialIdentity.objects.filter(
        provider=identity.provider, subject=identity.subject
    ).first()
    if taken is not None and taken.user_id != user.pk:
        raise LinkRefused(f"That {provider} account is connected to another Pacetrack account.")
    if taken is not None:
        return taken
    if SocialIdentity.objects.filter(user=user, provider=identity.provider).exists():
        raise LinkRefused(f"Disconnect your other {provider} account first.")
    link = SocialIdentity.objects.create(
        user=user, provider=identity.provider, subject=identity.subject, email=identity.email
    )
    audit_record_for_user(
        user_id=user.pk,
        action=SsoAction.SOCIAL_CONNECTED,
        acting_user=user,
        target=link,
        after={"provider": identity.provider, "email": identity.email},
    )
    return link


@transaction.atomic
def social_identity_disconnect(*, user: User, provider: str) -> None:
    """Unlink `user`'s account at `provider`, unless it is their last way to sign in."""
    user = User.objects.select_for_update().get(pk=user.pk)
    link = SocialIdentity.objects.filter(user=user, provider=provider).first()
    if link is None:
        raise LinkRefused("That provider is not connected.")
    if sign_in_method_count(user=user) <= 1:
        raise LinkRefused(
            f"{_label(provider)} is your only way to sign in. Set a password (Forgot your "
            "password? on the sign-in page) or add a passkey first."
        )
    audit_record_for_user(
        user_id=user.pk,
        action=SsoAction.SOCIAL_DISCONNECTED,
        acting_user=user,
        target=link,
        before={"provider": provider, "email": link.email},
    )
    link.delete()
