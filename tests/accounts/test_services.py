from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts.models import User
from accounts.services import user_signup
from billing.models import Account
from tenants.models import Membership, Role, Tenant


@pytest.mark.django_db
def test_signup_creates_user_personal_tenant_account_roles_and_owner_membership() -> None:
    user = user_signup(email="Ada@Example.COM", password="a-long-password-1", name="Ada Lovelace")

    assert user.email == "ada@example.com"
    assert user.check_password("a-long-password-1")
    tenant = Tenant.objects.get(personal_owner=user)
    assert tenant.kind == Tenant.Kind.PERSONAL
    assert tenant.name == "Ada Lovelace's workspace"
    assert isinstance(tenant.account, Account)
    assert set(Role.objects.for_tenant(tenant).values_list("key", flat=True)) == {
        "owner",
        "admin",
        "billing_admin",
        "member",
    }
    membership = Membership.objects.get(user=user, tenant=tenant)
    assert membership.role.key == "owner"
    assert membership.is_primary_contact and membership.is_billing_contact


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "name"),
    [
        ("de", "Arbeitsbereich von Ada Lovelace"),
        ("ar", "مساحة عمل Ada Lovelace"),
        ("", "Ada Lovelace's workspace"),  # the language of the page: English here
    ],
)
def test_the_personal_workspace_is_named_in_the_persons_language(language: str, name: str) -> None:
    ada = user_signup(
        email="ada@example.com",
        password="a-long-password-1",
        name="Ada Lovelace",
        language=language,
    )
    assert Tenant.objects.get(personal_owner=ada).name == name


@pytest.mark.django_db(transaction=True)
def test_signup_leaves_nothing_behind_when_it_fails(monkeypatch: Any) -> None:
    user_signup(email="taken@example.com", password="a-long-password-1", name="First")
    counts = (User.objects.count(), Tenant.objects.count(), Account.objects.count())

    with pytest.raises(ValidationError, match="Email address already exists"):
        user_signup(email="TAKEN@example.com", password="a-long-password-1", name="Second")

    assert (User.objects.count(), Tenant.objects.count(), Account.objects.count()) == counts


@pytest.mark.django_db
def test_emails_are_unique_case_insensitively_in_the_database() -> None:
    user_signup(email="bob@example.com", password="a-long-password-1", name="Bob")
    with pytest.raises(IntegrityError):
        User.objects.bulk_create([User(email="BOB@example.com", name="Bob 2")])
