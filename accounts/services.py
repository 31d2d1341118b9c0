"""Account actions: sign-up creates the user and everything a user needs to start;
the person's language and time zone."""

from __future__ import annotations

from django.db import transaction

from accounts.audit import AccountAction
from accounts.models import User, locale_or_default
from accounts.signals import user_signed_up
from core.audit import audit_record_for_user


@transaction.atomic
def user_signup(
    *, email: str, password: str | None, name: str, language: str = "", time_zone: str = "UTC"
) -> User:
    """Create a user with their personal tenant, its billing account, the built-in
    roles and an owner membership, all or nothing (tenancy's `user_signed_up`
    receiver creates the workspace inside this transaction).

    `language` and `time_zone` are guesses from the sign-up page: an unknown one
    falls back to the browser's language and UTC rather than refusing the sign-up."""
    language, time_zone = locale_or_default(language=language, time_zone=time_zone)
    user = User.objects.create_user(
        email=email, password=password, name=name, language=language, time_zone=time_zone
    )
    user_signed_up.send(sender=User, user=user)
    return user


@transaction.atomic
def user_locale_set(*, user: User, language: str, time_zone: str, acting_user: User) -> User:
    """Save the language (blank: the browser's) and the IANA time zone the person
    reads pages and emails in; ValidationError for a value not on offer. Audited in
    their personal log when something changed."""
    before = {"language": user.language, "time_zone": user.time_zone}
    user.language, user.time_zone = language, time_zone
    user.clean_fields(exclude=[f.name for f in User._meta.fields if f.name not in before])
    after = {"language": user.language, "time_zone": user.time_zone}
    changed = [field for field in before if before[field] != after[field]]
    if not changed:
        return user
    user.save(update_fields=changed)
    audit_record_for_user(
        user_id=user.pk,
        action=AccountAction.LOCALE_CHANGED,
        acting_user=acting_user,
        target=user,
        before={field: before[field] for field in changed},
        after={field: after[field] for field in changed},
    )
    return user
