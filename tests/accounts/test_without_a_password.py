"""Someone who signed up with a provider (Google, their organisation's SSO) has no
password: the forms that ask for the current one ask nothing of them, and the
re-authentication those pages require is their proof. Everyone with a password is
still asked for it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import EmailToken, User
from accounts.services import user_signup
from tenants.models import Membership
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.mfa.helpers import age_sign_in
from tests.tenants.factories import OrgFactory, add_member

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a fresh long passphrase 42"


@pytest.fixture
def sam(db: None) -> User:
    return user_signup(email="sam@example.com", password=None, name="Sam")


@pytest.fixture
def sam_client(client: Client, sam: User) -> Client:
    client.force_login(sam)
    return client


def test_the_account_page_offers_to_set_a_first_password(sam_client: Client, sam: User) -> None:
    html = sam_client.get("/account/").content.decode()
    assert "Set a password" in html and "Current password" not in html
    assert "Setting one signs you out on every other device." in html  # said before, not after

    response = sam_client.post(
        "/account/password/",
        {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
        follow=True,
    )

    assert "Your password is set." in response.content.decode()
    sam.refresh_from_db()
    assert sam.check_password(NEW_PASSWORD)
    assert "Current password" in sam_client.get("/account/").content.decode()


def test_a_first_password_is_checked_like_any_other(sam_client: Client, sam: User) -> None:
    response = sam_client.post(
        "/account/password/", {"new_password": "short", "confirm_password": "short"}
    )
    assert response.status_code == 200 and "aria-invalid" in response.content.decode()
    sam.refresh_from_db()
    assert not sam.has_usable_password()


def test_they_can_change_their_email_delete_their_account_and_hand_on_an_org(
    sam_client: Client, sam: User
) -> None:
    assert "Current password" not in sam_client.get("/account/email/").content.decode()
    sam_client.post("/account/email/", {"new_email": "sam@new.example"})
    assert EmailToken.objects.filter(user=sam, email="sam@new.example").exists()

    org = OrgFactory(owner=sam, name="Sam Co")
    other = add_member(org, UserFactory(email="otto@example.com"), "admin")
    settings_page = sam_client.get(f"/t/{org.slug}/settings/").content.decode()
    assert "Your password" not in settings_page
    sam_client.post(f"/t/{org.slug}/settings/transfer/", {"membership": other.pk})
    assert Membership.objects.get(pk=other.pk).role.is_owner

    assert "Your password" not in sam_client.get("/account/delete/").content.decode()
    sam_client.post("/account/delete/", {"confirm": "on"})
    sam.refresh_from_db()
    assert not sam.is_active


def test_without_a_recent_sign_in_they_are_sent_to_prove_it_first(
    sam_client: Client, sam: User
) -> None:
    """The field that goes is replaced by the re-authentication, never by nothing."""
    age_sign_in(sam)
    for path, data in [
        ("/account/delete/", {"confirm": "on"}),
        ("/account/password/", {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}),
        ("/account/email/", {"new_email": "thief@evil.example"}),
    ]:
        response = sam_client.post(path, data)
        assert response.status_code == 307 and "/auth/confirm/" in response["Location"]
    sam.refresh_from_db()
    assert sam.is_active and not sam.has_usable_password()
    assert not EmailToken.objects.filter(user=sam, email="thief@evil.example").exists()


def test_someone_with_a_password_is_still_asked_for_it(auth_client: Client, user: Any) -> None:
    """A stolen session of a person with a password cannot leave the field out."""
    response = auth_client.post("/account/delete/", {"confirm": "on"})
    assert response.status_code == 400
    assert "Your password" in response.content.decode()
    response = auth_client.post(
        "/account/password/", {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    )
    assert "Enter your current password." in response.content.decode()
    user.refresh_from_db()
    assert user.is_active and user.check_password(DEFAULT_PASSWORD)
