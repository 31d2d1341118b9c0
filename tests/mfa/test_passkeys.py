"""Passkeys over HTTP with a software authenticator: registration, passwordless sign-in,
the second step and re-authentication, and every refusal the server must make.

Nothing of WebAuthn is mocked: the authenticator signs with a real P-256 key and the
server verifies with py_webauthn."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from core.models import AuditEvent
from mfa.models import Passkey
from mfa.selectors import second_step_required, two_factor_status
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.mfa.helpers import age_sign_in
from tests.mfa.softauthn import SoftAuthenticator
from tests.sessions_app.helpers import row_of

pytestmark = pytest.mark.django_db

RP_ID = "pacetrack.test"
ORIGIN = "https://pacetrack.test"
ADD = "/account/security/passkeys/add/"
OPTIONS = "/auth/passkey/options/"
PASSWORDLESS = "/auth/passkey/sign-in/"
VERIFY = "/auth/sign-in/verify/"


@pytest.fixture(autouse=True)
def _relying_party(settings: Any) -> None:
    settings.MFA_WEBAUTHN_RP_ID = RP_ID
    settings.MFA_WEBAUTHN_ORIGINS = [ORIGIN]


@pytest.fixture
def device() -> SoftAuthenticator:
    return SoftAuthenticator(rp_id=RP_ID, origin=ORIGIN)


def register(client: Client, device: SoftAuthenticator, *, name: str = "Laptop", **kw: Any) -> Any:
    options = json.loads(client.post("/account/security/passkeys/options/").content)
    return client.post(ADD, {"name": name, "credential": device.create(options, **kw)})


def options(client: Client, purpose: str) -> dict[str, Any]:
    response = client.post(OPTIONS, {"purpose": purpose})
    assert response.status_code == 200, response.content
    return json.loads(response.content)


@pytest.fixture
def person_with_passkey(device: SoftAuthenticator) -> Any:
    person = UserFactory()
    client = Client()
    client.force_login(person)
    assert register(client, device).status_code == 200  # the recovery codes page
    return person


def signed_in(client: Client) -> bool:
    return client.get("/account/").status_code == 200


# --- Registration ---------------------------------------------------------------------------


def test_registering_stores_the_public_key_under_its_name_and_turns_on_two_factor(
    auth_client: Client,
    user: Any,
    device: SoftAuthenticator,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    options_ = json.loads(auth_client.post("/account/security/passkeys/options/").content)
    assert options_["rp"]["id"] == RP_ID
    assert options_["authenticatorSelection"]["residentKey"] == "required"
    assert options_["authenticatorSelection"]["userVerification"] == "required"
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.post(ADD, {"name": "MacBook", "credential": device.create(options_)})

    assert "Save your recovery codes" in response.content.decode()  # the first method
    passkey = Passkey.objects.get(user=user)
    assert (passkey.name, passkey.credential_id) == ("MacBook", device.id)
    assert second_step_required(user=user)
    assert AuditEvent.objects.filter(action="mfa.passkey_added").count() == 1
    assert "Security change to your account: passkey added" in [m.subject for m in mailoutbox]
    assert "MacBook" in auth_client.get("/account/security/").content.decode()


def test_a_registration_for_another_origin_is_refused(
    auth_client: Client, user: Any, device: SoftAuthenticator
) -> None:
    response = register(auth_client, device, origin="https://evil.example")

    assert response.status_code == 400
    assert "could not be verified" in response.content.decode()
    assert not Passkey.objects.exists()


def test_a_registration_challenge_works_once(
    auth_client: Client, user: Any, device: SoftAuthenticator
) -> None:
    options_ = json.loads(auth_client.post("/account/security/passkeys/options/").content)
    answer = device.create(options_)
    auth_client.post(ADD, {"name": "One", "credential": answer})

    again = auth_client.post(ADD, {"name": "Two", "credential": answer})

    assert "took too long or was already used" in again.content.decode()
    assert Passkey.objects.count() == 1


def test_adding_a_passkey_needs_a_recent_sign_in(
    auth_client: Client, user: Any, device: SoftAuthenticator
) -> None:
    age_sign_in(user)

    assert auth_client.post("/account/security/passkeys/options/").status_code == 307
    assert auth_client.get(ADD).status_code == 302


def test_the_name_field_is_described_by_why_it_is_asked(auth_client: Client) -> None:
    """The line was a paragraph beside the field, never read with it."""
    page = auth_client.get(ADD).content.decode()

    field = re.search(r'<input[^>]*name="name"[^>]*>', page)
    assert field and 'aria-describedby="id_name_helptext"' in field.group(0)
    assert 'id="id_name_helptext">So you can tell your passkeys apart later.' in page


IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def add_unnamed(client: Client, device: SoftAuthenticator, *, user_agent: str) -> None:
    options_ = json.loads(client.post("/account/security/passkeys/options/").content)
    credential = device.create(options_)
    client.post(ADD, {"name": "  ", "credential": credential}, headers={"user-agent": user_agent})


def test_a_passkey_left_unnamed_is_named_after_the_system_it_was_made_on(
    auth_client: Client, user: Any, device: SoftAuthenticator
) -> None:
    """Every unnamed passkey was "Passkey": two of them could not be told apart."""
    page = auth_client.get(ADD, headers={"user-agent": IPHONE}).content.decode()
    assert "Left empty, it is called “Passkey on iOS”." in page

    add_unnamed(auth_client, device, user_agent=IPHONE)

    assert Passkey.objects.get(user=user).name == "Passkey on iOS"


def test_an_unnamed_passkey_from_an_unknown_system_is_called_passkey(
    auth_client: Client, user: Any, device: SoftAuthenticator
) -> None:
    add_unnamed(auth_client, device, user_agent="curl/8.5.0")
    assert Passkey.objects.get(user=user).name == "Passkey"


# --- Passwordless sign-in -----------------------------------------------------------------------


def test_a_passkey_alone_signs_in(person_with_passkey: Any, device: SoftAuthenticator) -> None:
    client = Client()

    response = client.post(PASSWORDLESS, {"credential": device.get(options(client, "sign_in"))})

    assert response.status_code == 302
    assert signed_in(client)
    assert row_of(client).factors == ["Passkey"]
    passkey = Passkey.objects.get()
    assert passkey.sign_count == device.sign_count and passkey.last_used_at is not None


def test_the_same_assertion_cannot_be_used_twice(
    person_with_passkey: Any, device: SoftAuthenticator
) -> None:
    client = Client()
    answer = device.get(options(client, "sign_in"))
    client.post(PASSWORDLESS, {"credential": answer})
    client.post("/auth/sign-out/")

    response = client.post(PASSWORDLESS, {"credential": answer}, follow=True)

    assert "took too long or was already used" in response.content.decode()
    assert not signed_in(client)


def test_an_assertion_for_another_origin_is_refused(
    person_with_passkey: Any, device: SoftAuthenticator
) -> None:
    client = Client()

    response = client.post(
        PASSWORDLESS,
        {"credential": device.get(options(client, "sign_in"), origin="https://evil.example")},
        follow=True,
    )

    assert "could not be verified" in response.content.decode()
    assert not signed_in(client)


def test_a_sign_count_that_goes_down_is_refused(
    person_with_passkey: Any, device: SoftAuthenticator, caplog: Any
) -> None:
    first = Client()
    first.post(PASSWORDLESS, {"credential": device.get(options(first, "sign_in"))})
    first.post(PASSWORDLESS, {"credential": device.get(options(first, "sign_in"))})
    stored = Passkey.objects.get().sign_count
    clone = SoftAuthenticator(
        rp_id=RP_ID, origin=ORIGIN, credential_id=device.credential_id, key=device.key
    )
    clone.sign_count = stored - 2  # a copy of the key, behind the original

    second = Client()
    second.post(PASSWORDLESS, {"credential": clone.get(options(second, "sign_in"))})

    assert not signed_in(second)
    assert Passkey.objects.get().sign_count == stored
    assert "was not greater than current count" in caplog.text


def test_an_assertion_without_user_verification_is_refused(
    person_with_passkey: Any, device: SoftAuthenticator, caplog: Any
) -> None:
    client = Client()

    client.post(
        PASSWORDLESS, {"credential": device.get(options(client, "sign_in"), verified=False)}
    )

    assert not signed_in(client)
    assert "User verification is required" in caplog.text


def test_a_key_the_site_never_registered_is_refused(person_with_passkey: Any, caplog: Any) -> None:
    client = Client()
    stranger = SoftAuthenticator(rp_id=RP_ID, origin=ORIGIN)

    client.post(PASSWORDLESS, {"credential": stranger.get(options(client, "sign_in"))})

    assert not signed_in(client)
    assert "event=passkey.unknown" in caplog.text


def test_a_challenge_from_another_browser_is_refused(
    person_with_passkey: Any, device: SoftAuthenticator
) -> None:
    asked, answering = Client(), Client()

    response = answering.post(
        PASSWORDLESS, {"credential": device.get(options(asked, "sign_in"))}, follow=True
    )

    assert "took too long or was already used" in response.content.decode()
    assert not signed_in(answering)


# --- Second factor and re-authentication -------------------------------------------------------


def test_a_passkey_is_a_second_factor_after_the_password(
    person_with_passkey: Any, device: SoftAuthenticator
) -> None:
    client = Client()
    client.post(
        "/auth/sign-in/", {"email": person_with_passkey.email, "password": DEFAULT_PASSWORD}
    )
    assert "Use a passkey" in client.get(VERIFY).content.decode()
    second = options(client, "second_factor")
    assert [c["id"] for c in second["allowCredentials"]] == [device.id]

    client.post(VERIFY, {"factor": "passkey", "credential": device.get(second)})

    assert signed_in(client)
    assert row_of(client).factors == ["Password", "Passkey"]


def test_another_persons_passkey_is_refused_as_the_second_factor(
    person_with_passkey: Any, device: SoftAuthenticator
) -> None:
    victim = UserFactory()
    victim_client = Client()
    victim_client.force_login(victim)
    register(victim_client, SoftAuthenticator(rp_id=RP_ID, origin=ORIGIN))
    attacker = Client()  # knows the victim's password, holds their own passkey
    attacker.post("/auth/sign-in/", {"email": victim.email, "password": DEFAULT_PASSWORD})

    response = attacker.post(
        VERIFY, {"factor": "passkey", "credential": device.get(options(attacker, "second_factor"))}
    )

    assert response.status_code == 200
    assert "could not be verified" in response.content.decode()
    assert not signed_in(attacker)


def test_a_passwordless_challenge_cannot_answer_the_second_step(
    person_with_passkey: Any, device: SoftAuthenticator
) -> None:
    client = Client()
    client.post(
        "/auth/sign-in/", {"email": person_with_passkey.email, "password": DEFAULT_PASSWORD}
    )
    wrong_purpose = options(client, "sign_in")

    response = client.post(VERIFY, {"factor": "passkey", "credential": device.get(wrong_purpose)})

    assert "took too long or was already used" in response.content.decode()
    assert not signed_in(client)


def test_second_step_options_need_a_pending_sign_in(client: Client) -> None:
    assert client.post(OPTIONS, {"purpose": "second_factor"}).status_code == 400


def test_a_passkey_confirms_a_sensitive_action(
    person_with_passkey: Any, device: SoftAuthenticator
) -> None:
    client = Client()
    client.force_login(person_with_passkey)
    age_sign_in(person_with_passkey)
    assert (
        "Confirm with a passkey"
        in client.get("/auth/confirm/?next=/account/export/").content.decode()
    )

    response = client.post(
        "/auth/confirm/?next=/account/export/",
        {
            "reauth-submit": "1",
            "reauth-method": "GET",
            "reauth-factor": "passkey",
            "reauth-credential": device.get(options(client, "reauth")),
        },
    )

    assert response.status_code == 302 and response["Location"] == "/account/export/"
    assert client.get("/account/export/").status_code == 200


def test_removing_a_passkey_ends_its_sign_ins(
    person_with_passkey: Any, device: SoftAuthenticator
) -> None:
    owner = Client()
    owner.force_login(person_with_passkey)
    passkey = Passkey.objects.get()

    owner.post(f"/account/security/passkeys/{passkey.pk}/remove/")

    assert not Passkey.objects.exists()
    assert not two_factor_status(user=person_with_passkey).enabled
    assert AuditEvent.objects.filter(action="mfa.passkey_removed").count() == 1
    client = Client()
    client.post(PASSWORDLESS, {"credential": device.get(options(client, "sign_in"))})
    assert not signed_in(client)


def test_renaming_a_passkey(person_with_passkey: Any) -> None:
    owner = Client()
    owner.force_login(person_with_passkey)
    passkey = Passkey.objects.get()

    owner.post(f"/account/security/passkeys/{passkey.pk}/rename/", {"name": "Work phone"})

    passkey.refresh_from_db()
    assert passkey.name == "Work phone"
    # In the person's log (it left no trace), with no email for a label.
    event = AuditEvent.objects.get(action="mfa.passkey_renamed")
    assert (event.before, event.after) == ({"name": "Laptop"}, {"name": "Work phone"})
    assert event.tenant.personal_owner == person_with_passkey
    log = owner.get(f"/t/{event.tenant.slug}/audit/").content.decode()
    assert "Passkey renamed" in log


def test_a_name_of_spaces_is_refused_with_a_reason(person_with_passkey: Any) -> None:
    """It came back unchanged without a word."""
    owner = Client()
    owner.force_login(person_with_passkey)
    passkey = Passkey.objects.get()

    page = owner.post(
        f"/account/security/passkeys/{passkey.pk}/rename/", {"name": "   "}, follow=True
    )

    assert "Give the passkey a name." in page.content.decode()
    passkey.refresh_from_db()
    assert passkey.name == "Laptop"


def test_two_passkeys_never_share_a_name(auth_client: Client, user: Any) -> None:
    """A walk added "Work laptop" twice: two identical rows with the same Rename and
    Remove, told apart only by "Added 1 minute ago". The browser's credential already
    exists when the name is checked, so the second is numbered rather than refused."""
    for _ in range(3):
        register(auth_client, SoftAuthenticator(rp_id=RP_ID, origin=ORIGIN), name="Work laptop")
    first, second, third = Passkey.objects.filter(user=user).order_by("pk")
    assert [first.name, second.name, third.name] == [
        "Work laptop",
        "Work laptop (2)",
        "Work laptop (3)",
    ]

    renamed = auth_client.post(
        f"/account/security/passkeys/{third.pk}/rename/", {"name": "WORK LAPTOP"}, follow=True
    )
    assert "Passkey renamed to “WORK LAPTOP (3)”." in renamed.content.decode()
    auth_client.post(f"/account/security/passkeys/{first.pk}/rename/", {"name": "Work laptop"})

    third.refresh_from_db()
    first.refresh_from_db()
    assert third.name == "WORK LAPTOP (3)"  # case aside, the name is taken
    assert first.name == "Work laptop"  # its own name is not "taken"


def test_nobody_removes_or_renames_someone_elses_passkey(
    person_with_passkey: Any, auth_client: Client
) -> None:
    passkey = Passkey.objects.get()

    auth_client.post(f"/account/security/passkeys/{passkey.pk}/remove/")
    auth_client.post(f"/account/security/passkeys/{passkey.pk}/rename/", {"name": "Mine now"})

    passkey.refresh_from_db()
    assert passkey.name == "Laptop"


def test_the_sign_in_page_offers_passkeys_on_the_email_field_and_as_a_button(
    client: Client,
) -> None:
    page = client.get("/auth/sign-in/").content.decode()

    assert 'autocomplete="username webauthn"' in page
    assert 'data-passkey="get" data-passkey-autofill' in page
    assert "Continue with a passkey" in page
