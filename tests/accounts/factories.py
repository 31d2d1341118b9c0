from __future__ import annotations

from typing import Any

import factory

from accounts.models import User
from accounts.services import user_signup

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.Factory):
    """Users are made through the sign-up service, so each has its personal tenant."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
    password = DEFAULT_PASSWORD

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
