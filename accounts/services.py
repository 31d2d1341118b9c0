"""Account actions: sign-up creates the user and everything a user needs to start."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from accounts.signals import user_signed_up


@transaction.atomic
def user_signup(*, email: str, password: str | None, name: str) -> User:
    """Create a user with their personal tenant, its billing account, the built-in
    roles and an owner membership, all or nothing (tenancy's `user_signed_up`
    receiver creates the workspace inside this transaction)."""
    user = User.objects.create_user(email=email, password=password, name=name)
    user_signed_up.send(sender=User, user=user)
    return user
