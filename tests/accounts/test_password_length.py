"""Over-long passwords are refused with a form error before any hasher sees them, on
every form that takes a password: hashing megabytes with Argon2 is CPU spent for an
attacker (and sign-in hashes even for unknown addresses)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.forms import PASSWORD_MAX_LENGTH
from accounts.models import User
from tenants.models import Membership
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.accounts.hashers import RecordingHasher
from tests.accounts.mailtools import link_in
from tests.tenants.factories import OrgFactory, add_member

pytestmark = pytest.mark.django_db
TOO_LONG = "x" * (PASSWORD_MAX_LENGTH + 1)
REFUSED = "Passwords can be at most 4,096 characters long."


@pytest.fixture
def hashed(settings: Any) -> list[int]:
    """Lengths of every password hashed or checked from here on."""
    settings.PASSWORD_HASHERS = ["tests.accounts.hashers.RecordingHasher"]
    RecordingHasher.lengths.clear()
    return RecordingHasher.lengths


@pytest.fixture
def person(hashed: list[int]) -> User:
    """A user whose stored hash is the recording hasher's, so checks are recorded."""
    user = UserFactory(is_staff=True)
    hashed.clear()
    return user


@pytest.fixture
def browser(person: User) -> Client:
    signed_in = Client()
    signed_in.force_login(person)
    return signed_in


def refused(response: Any, hashed: list[int]) -> None:
    assert response.status_code in (200, 400), response.status_code
    assert REFUSED in response.content.decode()
    assert not [n for n in hashed if n > PASSWORD_MAX_LENGTH], "an over-long password was hashed"


def test_over_long_password_is_refused_at_sign_in_before_hashing(
    client: Client, person: User, hashed: list[int]
) -> None:
    refused(client.post("/auth/sign-in/", {"email": person.email, "password": TOO_LONG}), hashed)
    assert hashed == []
    # The recorder does see passwords that reach the hasher.
    client.post("/auth/sign-in/", {"email": person.email, "password": "x" * 300})
    assert hashed == [300]


def test_over_long_password_for_an_unknown_address_is_not_hashed_either(
    client: Client, hashed: list[int]
) -> None:
    response = client.post("/auth/sign-in/", {"email": "nobody@example.com", "password": TOO_LONG})
    refused(response, hashed)
    assert hashed == []


def test_over_long_password_is_refused_at_sign_up(client: Client, hashed: list[int]) -> None:
    response = client.post(
        "/auth/sign-up/", {"name": "Mallory", "email": "m@example.com", "password": TOO_LONG}
    )
    refused(response, hashed)
    assert not User.objects.filter(email="m@example.com").exists()


def test_over_long_current_password_is_refused_at_password_change(
    browser: Client, hashed: list[int]
) -> None:
    response = browser.post(
        "/account/password/",
        {"current_password": TOO_LONG, "new_password": "n" * 20, "confirm_password": "n" * 20},
    )
    refused(response, hashed)
    assert hashed == []


def test_over_long_new_password_is_refused_at_password_change(
    browser: Client, person: User, hashed: list[int]
) -> None:
    response = browser.post(
        "/account/password/",
        {
            "current_password": DEFAULT_PASSWORD,
            "new_password": TOO_LONG,
            "confirm_password": TOO_LONG,
        },
    )
    refused(response, hashed)
    person.refresh_from_db()
    assert person.check_password(DEFAULT_PASSWORD)


def test_over_long_password_is_refused_at_password_reset(
    client: Client,
    person: User,
    hashed: list[int],
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/auth/password/forgot/", {"email": person.email})
    link = link_in(mailoutbox[-1])
    refused(client.post(link, {"password1": TOO_LONG, "password2": TOO_LONG}), hashed)
    person.refresh_from_db()
    assert person.check_password(DEFAULT_PASSWORD)


def test_over_long_password_is_refused_at_email_change(
    browser: Client, hashed: list[int], mailoutbox: list[Any]
) -> None:
    response = browser.post(
        "/account/email/", {"new_email": "new@example.com", "password": TOO_LONG}
    )
    refused(response, hashed)
    assert hashed == [] and mailoutbox == []


def test_over_long_password_is_refused_at_account_deletion(
    browser: Client, person: User, hashed: list[int]
) -> None:
    refused(browser.post("/account/delete/", {"password": TOO_LONG, "confirm": "on"}), hashed)
    assert hashed == []
    assert User.objects.filter(pk=person.pk, is_active=True).exists()


def test_over_long_password_is_refused_at_ownership_transfer(
    browser: Client, person: User, hashed: list[int]
) -> None:
    org = OrgFactory(owner=person)
    other = add_member(org)
    hashed.clear()
    response = browser.post(
        f"/t/{org.slug}/settings/transfer/", {"membership": other.pk, "password": TOO_LONG}
    )
    refused(response, hashed)
    assert hashed == []
    assert Membership.objects.get(pk=other.pk).role.key == "member"


def test_over_long_password_is_refused_at_admin_login(
    client: Client, person: User, hashed: list[int]
) -> None:
    response = client.post("/admin/login/", {"username": person.email, "password": TOO_LONG})
    refused(response, hashed)
    assert hashed == []


def test_a_password_of_exactly_the_maximum_length_still_works(
    client: Client, hashed: list[int]
) -> None:
    longest = "p" * PASSWORD_MAX_LENGTH
    user = UserFactory(password=longest)
    response = client.post("/auth/sign-in/", {"email": user.email, "password": longest})
    assert response.status_code == 302


def test_the_admin_password_change_form_is_not_served(
    browser: Client, person: User, hashed: list[int]
) -> None:
    """Staff change their password on the account page; Django's admin form (unbounded,
    no sign-out of other devices) never sees a password."""
    response = browser.post(
        "/admin/password_change/",
        {"old_password": TOO_LONG, "new_password1": "n" * 20, "new_password2": "n" * 20},
    )
    assert response.status_code == 302 and response["Location"] == "/account/#password"
    assert hashed == []
    assert browser.get("/admin/password_change/")["Location"] == "/account/#password"
