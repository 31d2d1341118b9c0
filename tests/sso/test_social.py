"""Sign-in, sign-up, connect and disconnect with Google, Microsoft and GitHub, against
a real OpenID provider on loopback (tests/sso/idp.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from accounts.models import User
from core.models import AuditEvent
from sso.models import SocialIdentity
from tests.accounts.factories import UserFactory
from tests.accounts.mailtools import link_in
from tests.sso.flows import leave, local, round_trip, signed_in_user_id
from tests.sso.idp import LocalIdP

pytestmark = pytest.mark.django_db


def start(provider: str) -> str:
    return reverse("sso:social-start", args=[provider])


@pytest.mark.parametrize("provider", ["google", "microsoft", "github"])
def test_a_new_person_signs_up_with_a_provider_that_verified_their_email(
    client: Any, social: LocalIdP, provider: str
) -> None:
    social.user = {
        "sub": "s-1",
        "email": "New.Person@Example.com",
        "email_verified": True,
        "name": "New Person",
    }

    response = round_trip(client, social, start(provider))

    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.com")
    assert user.name == "New Person" and user.is_email_verified
    assert not user.has_usable_password()
    assert SocialIdentity.objects.get(user=user).provider == provider
    assert signed_in_user_id(client) == user.pk
    assert AuditEvent.objects.filter(action="social.signed_up").count() == 1


def test_signing_in_again_with_the_same_identity_signs_in_the_same_account(
    client: Any, social: LocalIdP
) -> None:
    round_trip(client, social, start("google"))
    first = signed_in_user_id(client)
    client.post(reverse("accounts:sign-out"))

    round_trip(client, social, start("google"))

    assert first is not None and signed_in_user_id(client) == first
    assert User.objects.filter(email="pat@example.com").count() == 1


def test_an_unverified_email_claim_never_links_to_the_existing_account(
    client: Any, social: LocalIdP
) -> None:
    victim = UserFactory(email="victim@example.com")
    social.user = {"sub": "attacker", "email": "victim@example.com", "email_verified": False}

    response = round_trip(client, social, start("google"))

    assert response.status_code == 403
    assert not SocialIdentity.objects.exists()
    assert signed_in_user_id(client) is None
    assert victim.social_identities.count() == 0


def test_a_verified_email_claim_alone_does_not_link_either(
    client: Any, social: LocalIdP, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    """Proof of control is the owner signing in, or opening the link sent to the
    account's address; the provider's word is not enough."""
    UserFactory(email="pat@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        response = round_trip(client, social, start("google"))

    assert response.status_code == 403
    assert "We emailed it a link" in response.content.decode()
    assert not SocialIdentity.objects.exists() and signed_in_user_id(client) is None
    assert mailoutbox[-1].to == ["pat@example.com"]


def test_the_emailed_link_connects_the_provider_and_signs_in(
    client: Any, social: LocalIdP, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    owner_of_address = UserFactory(email="pat@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        round_trip(client, social, start("google"))
    link = link_in(mailoutbox[-1])

    asked = client.get(link)
    response = client.post(link)

    assert asked.status_code == 200 and "Connect and sign in" in asked.content.decode()
    assert response.status_code == 302
    assert SocialIdentity.objects.get().user == owner_of_address
    assert signed_in_user_id(client) == owner_of_address.pk
    client.post(reverse("accounts:sign-out"))
    assert client.post(link).status_code == 400  # once only
    round_trip(client, social, start("google"))
    assert signed_in_user_id(client) == owner_of_address.pk


def test_an_unverified_claim_sends_no_link(
    client: Any, social: LocalIdP, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    UserFactory(email="pat@example.com")
    sent = len(mailoutbox)
    social.user = {**social.user, "email_verified": False}

    with django_capture_on_commit_callbacks(execute=True):
        round_trip(client, social, start("google"))

    assert len(mailoutbox) == sent


def test_an_altered_link_is_refused(client: Any) -> None:
    response = client.post(reverse("sso:social-link", kwargs={"token": "forged"}))

    assert response.status_code == 400 and not SocialIdentity.objects.exists()


def test_github_reads_the_primary_verified_address(client: Any, social: LocalIdP) -> None:
    social.github_emails = [
        {"email": "old@example.com", "primary": False, "verified": True},
        {"email": "main@example.com", "primary": True, "verified": False},
    ]

    response = round_trip(client, social, start("github"))

    assert response.status_code == 400  # the primary address is not verified
    assert not User.objects.filter(email__in=["old@example.com", "main@example.com"]).exists()


def test_a_signed_in_person_connects_and_then_signs_in_with_it(
    client: Any, social: LocalIdP, user: Any
) -> None:
    client.force_login(user)
    social.user = {"sub": "g-77", "email": "personal@gmail.example", "email_verified": True}

    response = round_trip(client, social, reverse("sso:social-connect", args=["google"]))

    assert response.status_code == 302 and response["Location"] == reverse("mfa:security")
    link = SocialIdentity.objects.get(user=user)
    assert (link.provider, link.subject) == ("google", "g-77")
    assert AuditEvent.objects.filter(action="social.connected").count() == 1
    page = client.get(reverse("mfa:security")).content.decode()
    assert "personal@gmail.example" in page and "Disconnect" in page

    client.post(reverse("accounts:sign-out"))
    round_trip(client, social, start("google"))
    assert signed_in_user_id(client) == user.pk


def test_connecting_an_account_whose_email_is_unverified_is_refused(
    client: Any, social: LocalIdP, user: Any
) -> None:
    client.force_login(user)
    social.user = {"sub": "g-1", "email": "x@example.com", "email_verified": False}

    response = round_trip(client, social, reverse("sso:social-connect", args=["google"]))

    assert response.status_code == 403
    assert not SocialIdentity.objects.exists()


def test_an_identity_linked_to_someone_else_is_not_moved(
    client: Any, social: LocalIdP, user: Any, other_user: Any
) -> None:
    SocialIdentity.objects.create(user=other_user, provider="google", subject="idp-user-1")
    client.force_login(user)

    response = round_trip(client, social, reverse("sso:social-connect", args=["google"]))

    assert response.status_code == 403
    assert SocialIdentity.objects.get().user == other_user


def test_a_state_that_does_not_match_this_browsers_flow_is_refused(
    client: Any, social: LocalIdP
) -> None:
    back = social.consent(leave(client, start("google")))
    forged = local(back).replace("state=", "state=forged")

    response = client.get(forged)

    assert response.status_code == 400
    assert "state mismatch" in response.content.decode()
    assert (
        signed_in_user_id(client) is None
        and not User.objects.filter(email="pat@example.com").exists()
    )


def test_a_callback_in_another_browser_is_refused(client: Any, social: LocalIdP) -> None:
    from django.test import Client

    back = social.consent(leave(client, start("google")))

    response = Client().get(local(back))

    assert response.status_code == 400
    assert not User.objects.filter(email="pat@example.com").exists()


def test_a_replayed_callback_is_refused(client: Any, social: LocalIdP) -> None:
    from django.test import Client

    authorize = leave(client, start("google"))
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    back = local(social.consent(authorize))
    assert client.get(back).status_code == 302  # the real sign-in
    attacker = Client()
    for name, value in cookies.items():
        attacker.cookies[name] = value

    response = attacker.get(back)

    assert response.status_code == 400
    assert signed_in_user_id(attacker) is None


@pytest.mark.parametrize(
    ("sabotage", "why"),
    [
        ("audience", "ID token for another client"),
        ("expired", "expired ID token"),
        ("wrong_key", "ID token signed with a key not in the JWKS"),
        ("issuer", "ID token from another issuer"),
        ("no_nonce", "ID token without the nonce"),
    ],
)
def test_a_bad_id_token_is_refused(client: Any, social: LocalIdP, sabotage: str, why: str) -> None:
    social.sabotage = sabotage

    response = round_trip(client, social, start("google"))

    assert response.status_code == 400, why
    assert signed_in_user_id(client) is None
    assert not User.objects.filter(email="pat@example.com").exists()


def test_an_id_token_replaying_an_earlier_nonce_is_refused(client: Any, social: LocalIdP) -> None:
    round_trip(client, social, start("google"))  # the nonce the replay will carry
    client.post(reverse("accounts:sign-out"))
    social.sabotage = "replay_nonce"

    response = round_trip(client, social, start("google"))

    assert response.status_code == 400
    assert signed_in_user_id(client) is None


def test_pkce_and_nonce_are_sent(client: Any, social: LocalIdP) -> None:
    authorize = leave(client, start("google"))
    params = social.authorize_url_params(authorize)
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) >= 43
    assert params["nonce"] and params["state"] and params["nonce"] != params["state"]
    client.get(local(social.consent(authorize)))
    assert len(social.token_requests[-1]["code_verifier"]) >= 43


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
)
def test_an_off_site_next_is_ignored(client: Any, social: LocalIdP, next_url: str) -> None:
    response = round_trip(client, social, start("google"), {"next": next_url})

    assert response.status_code == 302
    assert "evil" not in response["Location"] and "javascript" not in response["Location"]


def test_a_same_site_next_is_honoured(client: Any, social: LocalIdP) -> None:
    response = round_trip(client, social, start("google"), {"next": "/account/"})

    assert response["Location"] == "/account/"


def test_the_last_way_to_sign_in_cannot_be_disconnected(client: Any, social: LocalIdP) -> None:
    round_trip(client, social, start("google"))
    user = User.objects.get(email="pat@example.com")

    response = client.post(reverse("sso:social-disconnect", args=["google"]), follow=True)

    assert "only way to sign in" in response.content.decode()
    assert SocialIdentity.objects.filter(user=user).exists()


def test_with_a_password_too_it_can_be_disconnected(
    client: Any, social: LocalIdP, user: Any
) -> None:
    SocialIdentity.objects.create(user=user, provider="github", subject="1")
    client.force_login(user)

    client.post(reverse("sso:social-disconnect", args=["github"]))

    assert not SocialIdentity.objects.exists()
    assert AuditEvent.objects.filter(action="social.disconnected").count() == 1


def test_buttons_show_only_for_providers_that_are_set_up(client: Any, settings: Any) -> None:
    settings.SSO_SOCIAL_PROVIDERS = {
        "google": {"client_id": "id", "client_secret": "secret", "issuer": "https://x"},
        "microsoft": {"client_id": "", "client_secret": "", "issuer": "https://x"},
        "github": {"client_id": "id", "client_secret": ""},
    }
    for page in ("accounts:sign-in", "accounts:sign-up"):
        html = client.get(reverse(page)).content.decode()
        assert "Continue with Google" in html
        assert "Continue with Microsoft" not in html and "Continue with GitHub" not in html
        assert "Continue with SSO" in html
    assert client.post(start("github")).status_code == 404
