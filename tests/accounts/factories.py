from __future__ import annotations

from typing import Any

import factory
from django.utils import timezone

from accounts.models import User
from accounts.services import user_signup

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.Factory):
    """Users are made through the sign-up service, so each has its personal tenant.

    They have a verified address, as after sign-up by email; `UserFactory(unverified=True)`
    makes one that has not opened its verification link."""

    class Meta:
        model = User

    class Params:
        unverified = factory.Trait(email_verified_at=None)

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
    password = DEFAULT_PASSWORD
    email_verified_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        extra = {k: kwargs.pop(k) for k in list(kwargs) if k not in ("email", "name", "password")}
        user = user_signup(**kwargs)
        if extra:
            for key, value in extra.items():
                setattr(user, key, value)
            user.save()
        return user


def staff_with(*perms: str, **fields: Any) -> User:
    """A staff member (not a superuser) holding only the given model permissions,
    written "app_label.codename"."""
    from django.contrib.auth.models import Permission

    staff = UserFactory(is_staff=True, **fields)
    for perm in perms:
        app_label, codename = perm.split(".")
        staff.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return staff
