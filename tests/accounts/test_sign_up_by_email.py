"""Sign-up confirmed by email (the default): the form answers the same for every
address, and the emailed link creates the account."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import signing
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts import signup_browser
from accounts.models import EmailDelivery, PendingSignup, User
from accounts.tokens import token_digest
from billing.models import Account
from sessions_app.models import Session
from tenants.models import Membership, Role, Tenant
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.accounts.hashers import CountingHasher
from tests.accounts.mailtools import link_in

pytestmark = pytest.mark.django_db

PASSWORD = "analytical-engine-1843"


def _sign_up(client: Client, email: str, name: str = "Ada Lovelace", **kw: Any) -> Any:
    return client.post("/auth/sign-up/", {"name": name, "email": email, "password": PASSWORD}, **kw)


def _page(response: Any) -> str:
    return re.sub(r"[A-Za-z0-9]{64}", "CSRF", response.content.decode())


@pytest.fixture
def link(client: Client, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any) -> str:
    """Sign up as ada@example.com; returns the path of the emailed link."""
    with django_capture_on_commit_callbacks(execute=True):
        assert _sign_up(client, "Ada@Example.com").status_code == 302
    return link_in(mailoutbox[-1])


def _state() -> tuple[Any, ...]:
    return tuple(
        model.objects.count() for model in (User, Tenant, Account, Role, Membership, Session)
    )


def test_sign_up_does_not_reveal_existing_account(
    client: Client, settings: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    """A taken and a free address get the same status, redirect, page and work; the
    account is not created or changed, and its owner is told by email."""
    existing = UserFactory(email="taken@example.com", name="Taken Person")
    password_before = existing.password
    settings.PASSWORD_HASHERS = ["tests.accounts.hashers.CountingHasher"]
    before = _state()

    answers = []
    for email in ("taken@example.com", "free@example.com"):
        CountingHasher.calls = 0
        with django_capture_on_commit_callbacks(execute=True):
            response = _sign_up(client, email, follow=True)
        answers.append((response, CountingHasher.calls))
    (taken, taken_hashes), (free, free_hashes) = answers

    assert taken.status_code == free.status_code == 200
    assert taken.redirect_chain == free.redirect_chain == [("/auth/sign-up/sent/", 302)]
    # Each browser is shown the address it typed, and nothing else differs.
    assert _page(taken).replace("taken@example.com", "ADDRESS") == _page(free).replace(
        "free@example.com", "ADDRESS"
    )
    assert "Check your email to continue" in _page(free)
    assert taken_hashes == free_hashes == 1  # the password is hashed either way
    # Nothing created yet, nothing changed on the existing account.
    assert _state() == before
    existing.refresh_from_db()
    assert (existing.password, existing.name) == (password_before, "Taken Person")
    # Exactly one email each: a notice to the owner, a sign-up link to the new address.
    notice, confirm = mailoutbox
    assert notice.to == ["taken@example.com"]
    assert notice.subject == "Someone tried to sign up for Pacetrack with your email address"
    assert "/auth/sign-in/" in notice.body and "/auth/password/forgot/" in notice.body
    assert "/auth/sign-up/confirm/" not in notice.body
    assert confirm.to == ["free@example.com"]
    assert "/auth/sign-up/confirm/" in link_in(confirm)


def test_the_link_creates_the_verified_account_and_workspace_and_signs_in(
    client: Client, link: str
) -> None:
    before = _state()
    page = client.get(link)
    assert page.status_code == 200 and page["Referrer-Policy"] == "same-origin"
    html = page.content.decode()
    assert "ada@<wbr>example.com" in html and "Ada Lovelace" in html
    assert _state() == before  # opening the link (a mail scanner may) creates nothing

    response = client.post(link, follow=True)

    user = User.objects.get(email="ada@example.com")
    assert response.redirect_chain[0] == ("/app/", 302)
    assert response.redirect_chain[-1][0] == f"/t/{user.personal_tenant.slug}/"
    assert "Welcome to Pacetrack! Your workspace is ready." in response.content.decode()
    assert "Please confirm your email address" not in response.content.decode()
    assert user.email_verified_at is not None and user.name == "Ada Lovelace"
    assert user.check_password(PASSWORD)
    membership = Membership.objects.get(user=user)
    assert membership.tenant == user.personal_tenant and membership.role.key == "owner"
    assert Role.objects.filter(tenant=user.personal_tenant).count() == 4
    assert Session.objects.filter(user=user, revoked_at__isnull=True).count() == 1


def test_a_pending_sign_up_keeps_no_plaintext_password_or_token(link: str) -> None:
    pending = PendingSignup.objects.get()
    raw_token = link.rstrip("/").rsplit("/", 1)[-1]
    assert pending.password_hash.startswith("md5$")  # the test hasher; Argon2 in production
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_pendingsignup")
        row = " ".join(str(value) for value in cursor.fetchone())
    assert PASSWORD not in row and raw_token not in row
    # The stored hash is cleared once the account exists.
    Client().post(link, {"password": "another-long-phrase"})
    pending.refresh_from_db()
    assert pending.used_at is not None and pending.password_hash == ""


def test_the_link_works_once(client: Client, link: str) -> None:
    assert client.post(link).status_code == 302
    again = Client().post(link)
    assert again.status_code == 400
    assert "already been used" in again.content.decode()
    assert User.objects.filter(email="ada@example.com").count() == 1


def test_the_used_link_opened_again_while_signed_in_goes_to_the_app(
    client: Client, link: str
) -> None:
    assert client.post(link).status_code == 302  # signed in by it
    again = client.get(link, follow=True)
    html = again.content.decode()
    assert "That sign-up link was used already: you are signed in." in html
    assert "Sign in with your email and password" not in html
    assert again.redirect_chain[0][1] == 302


def test_the_link_expires_after_48_hours(client: Client, link: str) -> None:
    with time_machine.travel(timezone.now() + timedelta(hours=48, minutes=1)):
        page = client.get(link)
        assert client.post(link).status_code == 400
    assert page.status_code == 400 and "Sign up again" in page.content.decode()
    assert not User.objects.filter(email="ada@example.com").exists()


def test_a_later_sign_up_replaces_a_pending_one_for_the_same_address(
    client: Client, link: str, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    """Someone who started a sign-up with your address (and their password) does not
    block yours, and their link dies when you sign up."""
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/auth/sign-up/",
            {"name": "Real Ada", "email": "ada@example.com", "password": "the-real-passphrase"},
        )
    newest = link_in(mailoutbox[-1])
    assert Client().post(link).status_code == 400
    assert client.post(newest).status_code == 302
    user = User.objects.get(email="ada@example.com")
    assert user.name == "Real Ada" and user.check_password("the-real-passphrase")


def test_the_link_says_so_when_the_address_got_an_account_meanwhile(
    client: Client, link: str
) -> None:
    UserFactory(email="ada@example.com")  # e.g. through an invitation
    response = client.post(link)
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    assert User.objects.filter(email="ada@example.com").count() == 1


def test_a_made_up_link_gets_a_clear_page(client: Client) -> None:
    response = client.get("/auth/sign-up/confirm/not-a-real-token/")
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()


def test_a_deleted_accounts_address_gets_a_notice_without_a_sign_in_link(
    client: Client, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    UserFactory(email="gone@example.com", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert _sign_up(client, "gone@example.com")["Location"] == "/auth/sign-up/sent/"
    [notice] = mailoutbox
    assert "deleted recently" in notice.body and "/auth/sign-in/" not in notice.body
    assert not PendingSignup.objects.exists()


@pytest.mark.parametrize("support", ["help@example.com", ""])
def test_the_deleted_accounts_notice_says_how_long_and_whom_to_write_to(
    client: Client,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
    settings: Any,
    support: str,
) -> None:
    """A walk found "reserved for a few weeks" (the pages say 30 days) and "contact us"
    with no address to contact."""
    settings.ACCOUNTS_DELETION_GRACE_DAYS = 30
    settings.SUPPORT_EMAIL = support
    UserFactory(email="gone@example.com", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        _sign_up(client, "gone@example.com")

    [notice] = mailoutbox
    html = notice.alternatives[0][0]
    for body in (notice.body, html):
        assert "stays reserved for 30 days after a deletion" in " ".join(body.split())
        assert "few weeks" not in body and "contact us" not in body
    if support:
        assert "write to help@example.com within that time" in notice.body
    else:
        assert "reply to this email within that time" in notice.body


def test_expired_pending_sign_ups_are_deleted(
    client: Client, link: str, django_capture_on_commit_callbacks: Any
) -> None:
    with (
        time_machine.travel(timezone.now() + timedelta(hours=49)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _sign_up(client, "someone-else@example.com")
    assert list(PendingSignup.objects.values_list("email", flat=True)) == [
        "someone-else@example.com"
    ]


def test_sign_up_page_says_a_link_will_be_emailed(client: Client) -> None:
    assert "email you a link" in client.get("/auth/sign-up/").content.decode()


def test_each_sign_up_queues_exactly_one_email(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    UserFactory(email="taken@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        _sign_up(client, "taken@example.com")
        _sign_up(client, "free@example.com")
    assert sorted(EmailDelivery.objects.values_list("template", flat=True)) == [
        "accounts/email/signup_confirm",
        "accounts/email/signup_existing",
    ]


def test_the_confirmation_email_does_not_carry_the_typed_name(
    client: Client, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    """The attack: sign up a stranger's address with a "name" that is a phishing line;
    our own sender greeted them with it ("Hi Your invoice #4411 is overdue - pay now at
    https://pay-pacetrack.example/inv …,")."""
    lure = "Your invoice is overdue - pay now at https://pay-pacetrack.example/inv"
    with django_capture_on_commit_callbacks(execute=True):
        _sign_up(client, "victim@example.org", name=lure)

    message = mailoutbox[-1]
    html = message.alternatives[0][0]
    assert message.to == ["victim@example.org"]
    assert "pay-pacetrack" not in message.body and "pay-pacetrack" not in html
    assert message.body.startswith("Hello,")


def test_sign_up_emails_to_one_address_are_capped_from_any_number_of_ips(
    client: Client, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    UserFactory(email="taken@example.com")
    answers = []
    for n in range(7):
        with django_capture_on_commit_callbacks(execute=True):
            response = _sign_up(client, "taken@example.com", REMOTE_ADDR=f"203.0.113.{n}")
        answers.append((response.status_code, response["Location"]))
    assert answers == [(302, "/auth/sign-up/sent/")] * 7  # the same answer throughout
    assert len(mailoutbox) == 5  # the "auth-signup" budget per address


def test_the_existing_owner_can_still_sign_in_after_someone_tried(client: Client) -> None:
    user = UserFactory(email="taken@example.com")
    _sign_up(client, "taken@example.com")
    response = Client().post("/auth/sign-in/", {"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302


def test_a_link_opened_elsewhere_cannot_create_the_account_with_a_strangers_password(
    client: Client, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    """The attack (pre-registration takeover): a stranger signs up with your address and
    a password of theirs; you click the link in your email and press the button; they
    sign in with their password. Away from the stranger's browser the link's page now
    has you, who read the inbox, choose the password: theirs is dropped."""
    stranger = Client()
    with django_capture_on_commit_callbacks(execute=True):
        stranger.post(
            "/auth/sign-up/",
            {"name": "Victim", "email": "victim@example.com", "password": "strangers-choice-1"},
        )
    emailed = link_in(mailoutbox[-1])

    page = client.get(emailed).content.decode()
    pressed = client.post(emailed)
    weak = client.post(emailed, {"password": "victim"})

    assert 'name="password"' in page and "choose a password here" in page
    # May wrap after its "@" only ("…@example." / "com" read as another address).
    assert '<span dir="ltr">victim@<wbr>example.com</span>' in page
    assert "Choose a password." in pressed.content.decode()
    assert "too similar" in weak.content.decode() or "too short" in weak.content.decode()
    assert pressed.status_code == weak.status_code == 200
    assert not User.objects.filter(email="victim@example.com").exists()

    client.post(emailed, {"password": "the-victims-own-phrase"})

    victim = User.objects.get(email="victim@example.com")
    assert victim.check_password("the-victims-own-phrase")
    assert not victim.check_password("strangers-choice-1")
    stranger.post(
        "/auth/sign-in/", {"email": "victim@example.com", "password": "strangers-choice-1"}
    )
    assert "_auth_user_id" not in stranger.session


def test_on_another_device_the_password_chosen_there_finishes_it(
    link: str, mailoutbox: list[Any]
) -> None:
    """Signed up on a laptop, the link opened on a phone."""
    phone = Client()

    response = phone.post(link, {"password": "chosen-on-the-phone"}, follow=True)

    user = User.objects.get(email="ada@example.com")
    assert response.redirect_chain[0] == ("/app/", 302)
    assert user.email_verified_at is not None and user.check_password("chosen-on-the-phone")
    assert Session.objects.filter(user=user, revoked_at__isnull=True).count() == 1


def test_in_the_browser_that_signed_up_the_link_is_one_click(client: Client, link: str) -> None:
    page = client.get(link).content.decode()

    assert 'name="password"' not in page and "One click and your workspace is ready." in page
    response = client.post(link)
    assert response.status_code == 302 and "pacetrack-signup" in response.cookies
    assert response.cookies["pacetrack-signup"]["max-age"] == 0, "the cookie has done its job"


def test_a_cookie_set_before_it_kept_what_was_typed_still_makes_the_link_one_click(
    client: Client, link: str
) -> None:
    """Cookies from before the upgrade held the bare key: a sign-up begun then keeps its
    one click for the 48 hours the cookie lives (and is not logged as tampered)."""
    name = signup_browser.signup_cookie_name()
    signed = client.cookies[name].value
    bare = signing.loads(signed, salt=signup_browser.SALT)["k"]
    client.cookies[name] = bare

    page = client.get(link).content.decode()

    assert 'name="password"' not in page and "One click and your workspace is ready." in page


def test_the_browser_cookie_is_set_alike_for_a_new_and_a_taken_address(client: Client) -> None:
    """The answer must not say whether an address has an account (6.3.8)."""
    UserFactory(email="taken@example.com")

    new = _sign_up(Client(), "new@example.com")
    taken = _sign_up(Client(), "taken@example.com")

    keys = []
    for response in (new, taken):
        cookie = response.cookies["pacetrack-signup"]
        assert (cookie["httponly"], cookie["samesite"], cookie["path"]) == (True, "Lax", "/")
        value = signing.loads(cookie.value, salt=signup_browser.SALT)
        assert set(value) == {"k", "e", "n"} and len(value["k"]) == 43
        keys.append(value["k"])
    assert keys[0] != keys[1]
    assert PendingSignup.objects.get().browser_hash == token_digest(keys[0])
