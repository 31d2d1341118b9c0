"""Social sign-in: what a Google, Microsoft or GitHub identity may do to accounts.

The account-takeover rules live here. An identity signs in the account it is linked
to; a new one is linked only by someone who proved control of the account (signed in,
recently re-authenticated) and only when the provider asserts the email as verified.
An address that already has an account is never linked on the provider's word alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.mail import email_enqueue
from accounts.mail_delivery import absolute_url
from accounts.models import User, is_email, normalize_email
from accounts.services import user_signup
from accounts.services_security import unproven_address_claimed
from accounts.tokens import token_digest
from core.audit import audit_record_for_user
from core.security_log import email_hash, security_event
from ratelimit.services import ratelimit_consume
from sso.audit import ConfirmedBy, SsoAction
from sso.exceptions import LinkRefused, SignInRefused, SsoRequired
from sso.models import SocialIdentity
from sso.selectors import connection_for_email, sign_in_method_count, sso_requirement_get

if TYPE_CHECKING:
    from sso.social import ProviderIdentity

SSO_REQUIRED = gettext_lazy(
    "%(organisation)s signs its members in with single sign-on. Use “Continue with SSO” on the "
    "sign-in page."
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
            raise SignInRefused(_("This account is closed."))
        requirement = sso_requirement_get(user=user)
        if requirement is not None:
            raise SsoRequired(SSO_REQUIRED % {"organisation": requirement[0].tenant.name})
        link.last_used_at = timezone.now()
        link.save(update_fields=["last_used_at"])
        return user
    provider = _label(identity.provider)
    email = normalize_email(identity.email)
    if not is_email(email):
        raise SignInRefused(
            _("Your %(provider)s account has no email address we can use.") % {"provider": provider}
        )
    existing = User.objects.filter(email=email).first()
    if existing is not None:
        # Never linked here: a provider's claim is no proof that this person controls
        # the Pacetrack account (the classic takeover). A verified claim earns an email
        # to the account's address; its link is the proof.
        if identity.email_verified and existing.is_active:
            social_link_email_send(user=existing, identity=identity)
            raise LinkRefused(
                _(
                    "An account already uses %(email)s. We emailed it a link: open it to connect "
                    "%(provider)s and sign in. Or sign in with your password or passkey, then "
                    "connect %(provider)s on your account's security page."
                )
                % {"email": email, "provider": provider}
            )
        raise LinkRefused(
            _(
                "An account already uses %(email)s. Sign in with your password or passkey, then "
                "connect %(provider)s on your account's security page."
            )
            % {"email": email, "provider": provider}
        )
    if not identity.email_verified:
        raise SignInRefused(
            _(
                "%(provider)s has not verified %(email)s. Verify it there, or sign up with a "
                "password."
            )
            % {"provider": provider, "email": email}
        )
    connection = connection_for_email(email=email)
    if connection is not None and connection.require_sso:
        raise SsoRequired(SSO_REQUIRED % {"organisation": connection.tenant.name})
    return _social_sign_up(identity=identity, email=email)


@transaction.atomic
def _social_sign_up(*, identity: ProviderIdentity, email: str) -> User:
    try:
        with transaction.atomic():
            user = user_signup(
                email=email, password=None, name=identity.name or email.partition("@")[0]
            )
    except IntegrityError:  # the address got an account a moment ago
        raise LinkRefused(
            _("An account already uses %(email)s. Sign in instead.") % {"email": email}
        ) from None
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
            _("%(provider)s has not verified the email of that account, so it cannot be connected.")
            % {"provider": provider}
        )
    taken = SocialIdentity.objects.filter(
        provider=identity.provider, subject=identity.subject
    ).first()
    if taken is not None and taken.user_id != user.pk:
        raise LinkRefused(
            _("That %(provider)s account is connected to another Pacetrack account.")
            % {"provider": provider}
        )
    if taken is not None:
        return taken
    if SocialIdentity.objects.filter(user=user, provider=identity.provider).exists():
        raise LinkRefused(
            _("Disconnect your other %(provider)s account first.") % {"provider": provider}
        )
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
        raise LinkRefused(_("That provider is not connected."))
    if sign_in_method_count(user=user) <= 1:
        raise LinkRefused(
            _(
                "%(provider)s is your only way to sign in. Set a password (Forgot your "
                "password? on the sign-in page) or add a passkey first."
            )
            % {"provider": _label(provider)}
        )
    audit_record_for_user(
        user_id=user.pk,
        action=SsoAction.SOCIAL_DISCONNECTED,
        acting_user=user,
        target=link,
        before={"provider": provider, "email": link.email},
    )
    link.delete()


# --- Linking confirmed from the account's inbox -----------------------------------------

LINK_SALT = "pacetrack.sso.link-by-email"
LINK_LIFETIME = 3600


def social_link_email_send(*, user: User, identity: ProviderIdentity) -> None:
    """Email `user` a one-hour link that connects `identity` and signs them in.

    Each address has the sign-up email budget ("auth-signup"), so nobody can flood an
    inbox by signing in again and again."""
    usage = ratelimit_consume(tier="auth-signup", identity=email_hash(user.email))
    if usage is not None and not usage.allowed:
        security_event("ratelimit.refused", tier="auth-signup", key_type="account")
        return
    token = signing.dumps(
        {"u": user.pk, "e": user.email, "p": identity.provider, "s": identity.subject},
        salt=LINK_SALT,
    )
    email_enqueue(
        to=user.email,
        template="sso/email/link_confirm",
        context={
            "user": user,
            "provider": _label(identity.provider),
            "url": absolute_url("sso:social-link", token=token),
        },
    )


@dataclass(frozen=True)
class PendingLink:
    user: User
    provider: str
    subject: str


def social_link_check(*, token: str) -> PendingLink:
    """What an emailed link would connect, or SignInRefused (expired, altered, or the
    account's address changed since)."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=LINK_LIFETIME)
    except signing.BadSignature:
        raise SignInRefused(_("This link is not valid or has expired. Sign in again.")) from None
    user = User.objects.filter(pk=data["u"], email=data["e"], is_active=True).first()
    if user is None or data["p"] not in SocialIdentity.Provider.values:
        raise SignInRefused(_("This link is not valid any more. Sign in again."))
    return PendingLink(user=user, provider=data["p"], subject=data["s"])


@transaction.atomic
def social_link_confirm(*, token: str) -> User:
    """Use an emailed link: connect the provider identity and return who signs in."""
    pending = social_link_check(token=token)
    user, provider = pending.user, _label(pending.provider)
    if not cache.add(f"sso:link:{token_digest(token)}", 1, LINK_LIFETIME):
        raise SignInRefused(_("This link was already used. Sign in instead."))
    # The link reached the address's inbox: an account nobody had proven it for (made
    # by instant sign-up, maybe by a stranger) loses the password it was made with.
    unproven_address_claimed(user=user)
    requirement = sso_requirement_get(user=user)
    if requirement is not None:
        raise SsoRequired(SSO_REQUIRED % {"organisation": requirement[0].tenant.name})
    taken = SocialIdentity.objects.filter(
        provider=pending.provider, subject=pending.subject
    ).first()
    if taken is not None and taken.user_id != user.pk:
        raise LinkRefused(
            _("That %(provider)s account is connected to another account.") % {"provider": provider}
        )
    if taken is None:
        if SocialIdentity.objects.filter(user=user, provider=pending.provider).exists():
            raise LinkRefused(
                _("Another %(provider)s account is connected to yours already.")
                % {"provider": provider}
            )
        taken = SocialIdentity.objects.create(
            user=user, provider=pending.provider, subject=pending.subject, email=user.email
        )
        audit_record_for_user(
            user_id=user.pk,
            action=SsoAction.SOCIAL_CONNECTED,
            acting_user=user,
            target=taken,
            after={"provider": pending.provider, "confirmed_by": ConfirmedBy.EMAIL_LINK},
        )
    return user
