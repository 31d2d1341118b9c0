"""Re-authentication ("sudo mode"): sensitive actions need a sign-in from the last ten
minutes (MFA_REAUTH_AGE); the prompt accepts the password or a code, and the
interrupted form reaches its action afterwards, with or without htmx."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pytest
import time_machine
from django.test import Client

from core.models import AuditEvent
from mfa.reauth import reauth_is_recent
from mfa.selectors import two_factor_status
from mfa.totp import totp_code_at
from sessions_app.authentication import session_authenticated_at
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.mfa.helpers import age_sign_in, enable_totp
from tests.tenants.factories import add_member

pytestmark = pytest.mark.django_db

CONFIRM = "/auth/confirm/"
NEW_PASSWORD = "a-fresh-and-long-password-77"
CHANGE_PASSWORD = {
    "current_password": DEFAULT_PASSWORD,
    "new_password": NEW_PASSWORD,
    "confirm_password": NEW_PASSWORD,
}


def prompt(path: str) -> str:
    return f"{CONFIRM}?next={quote(path, safe='')}"


def confirm(client: Client, path: str, carried: dict[str, str], **fields: str) -> Any:
    """Submit the prompt for `path` as its page does: its own fields plus the carried ones."""
    data = {"reauth-submit": "1", "reauth-method": "POST", **carried}
    data.update({f"reauth-{key}": value for key, value in fields.items()})
    return client.post(prompt(path), data)


def test_a_recent_sign_in_needs_no_prompt(auth_client: Client, user: Any) -> None:
    response = auth_client.post("/account/password/", CHANGE_PASSWORD)

    assert response.status_code == 302 and response["Location"] == "/account/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_an_old_sign_in_is_sent_to_the_prompt_with_the_form(auth_client: Client, user: Any) -> None:
    """With a wrong current password: a right one is itself the re-authentication (below)."""
    age_sign_in(user)

    response = auth_client.post(
        "/account/password/", {**CHANGE_PASSWORD, "current_password": "not-my-password"}
    )

    assert response.status_code == 307  # the browser posts the same form to the prompt
    assert response["Location"] == prompt("/account/password/")
    page = auth_client.post(response["Location"], CHANGE_PASSWORD)
    html = page.content.decode()
    assert "Confirm it's you" in html
    assert f'name="new_password" value="{NEW_PASSWORD}"' in html  # carried along
    user.refresh_from_db()
    assert not user.check_password(NEW_PASSWORD)


def test_the_password_lets_the_interrupted_form_through(auth_client: Client, user: Any) -> None:
    age_sign_in(user)

    response = confirm(
        auth_client,
        "/account/password/",
        CHANGE_PASSWORD,
        factor="password",
        password=DEFAULT_PASSWORD,
    )

    assert response.status_code == 307
    assert response["Location"] == "/account/password/"
    done = auth_client.post(response["Location"], {**CHANGE_PASSWORD, "reauth-password": "x"})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_the_whole_round_trip_as_a_browser_follows_it(
    owner_client: Client, owner: Any, acme: Any
) -> None:
    age_sign_in(owner)
    delete = f"/t/{acme.slug}/settings/delete/"
    form = {"confirmation": acme.slug}

    asked = owner_client.post(delete, form, follow=True)
    assert asked.redirect_chain == [(prompt(delete), 307)]
    done = owner_client.post(
        prompt(delete),
        {
            **form,
            "reauth-submit": "1",
            "reauth-method": "POST",
            "reauth-factor": "password",
            "reauth-password": DEFAULT_PASSWORD,
        },
        follow=True,
    )

    assert [url for url, _ in done.redirect_chain] == [delete, "/account/tenants/"]
    assert f"{acme.name} was deleted." in done.content.decode()


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/account/password/", CHANGE_PASSWORD),
        ("/account/email/", {"new_email": "new.address@example.com", "password": DEFAULT_PASSWORD}),
    ],
)
def test_a_form_asking_for_the_password_is_itself_the_confirmation(
    auth_client: Client, user: Any, path: str, form: dict[str, str]
) -> None:
    """The password typed in the form, then again on the prompt the form led to."""
    age_sign_in(user)

    response = auth_client.post(path, form)

    assert response.status_code == 302 and "reauth" not in response["Location"]
    assert reauth_is_recent(auth_client.session)


def test_an_owner_transfers_with_one_password_after_ten_minutes(
    owner_client: Client, owner: Any, acme: Any
) -> None:
    """The walk: the password typed in the transfer form, then "Confirm it's you"."""
    age_sign_in(owner)
    admin = add_member(acme, role_key="admin")

    response = owner_client.post(
        f"/t/{acme.slug}/settings/transfer/",
        {"membership": admin.pk, "password": DEFAULT_PASSWORD},
    )

    assert response.status_code == 302 and "reauth" not in response["Location"]
    admin.refresh_from_db()
    assert admin.role.key == "owner"


def test_a_wrong_password_is_refused_and_asks_again(auth_client: Client, user: Any) -> None:
    age_sign_in(user)
    before = session_authenticated_at(auth_client.session)

    response = confirm(
        auth_client, "/account/password/", CHANGE_PASSWORD, factor="password", password="wrong"
    )

    assert response.status_code == 200
    assert "That isn&#x27;t your current password." in response.content.decode()
    assert session_authenticated_at(auth_client.session) == before


T0 = datetime(2027, 2, 1, 12, 0, 0, tzinfo=UTC)


@time_machine.travel(T0, tick=False)
def test_a_code_from_the_app_also_confirms_but_only_once(client: Client, user: Any) -> None:
    secret, _ = enable_totp(user, at=T0)
    client.force_login(user)
    auth_client = client
    age_sign_in(user)
    code = totp_code_at(secret)

    assert (
        confirm(auth_client, "/account/password/", {}, factor="totp", code=code).status_code == 307
    )
    age_sign_in(user)
    again = confirm(auth_client, "/account/password/", {}, factor="totp", code=code)

    assert again.status_code == 200
    assert "already used" in again.content.decode()


def test_a_page_behind_the_prompt_is_reached_by_a_plain_redirect(
    auth_client: Client, user: Any
) -> None:
    age_sign_in(user)

    response = auth_client.get("/account/export/")
    assert response.status_code == 302 and response["Location"] == prompt("/account/export/")
    assert (
        'name="reauth-method" value="GET"' in auth_client.get(response["Location"]).content.decode()
    )

    back = auth_client.post(
        prompt("/account/export/"),
        {
            "reauth-submit": "1",
            "reauth-method": "GET",
            "reauth-factor": "password",
            "reauth-password": DEFAULT_PASSWORD,
        },
    )
    assert back.status_code == 302 and back["Location"] == "/account/export/"
    assert auth_client.get("/account/export/")["Content-Disposition"].startswith("attachment")


def test_the_prompt_never_sends_anyone_off_site(auth_client: Client, user: Any) -> None:
    age_sign_in(user)

    response = auth_client.post(
        f"{CONFIRM}?next=https://evil.example/",
        {
            "reauth-submit": "1",
            "reauth-method": "GET",
            "reauth-factor": "password",
            "reauth-password": DEFAULT_PASSWORD,
        },
    )

    assert response["Location"] == "/account/security/"


def test_the_window_is_a_setting(auth_client: Client, user: Any, settings: Any) -> None:
    settings.MFA_REAUTH_AGE = 3600
    age_sign_in(user, minutes=30)

    assert auth_client.get("/account/export/").status_code == 200


# --- htmx ---------------------------------------------------------------------------------


def test_htmx_gets_the_prompt_as_a_dialog_and_a_signal_once_confirmed(
    auth_client: Client, user: Any
) -> None:
    enable_totp(user)
    age_sign_in(user)
    htmx = {"HTTP_HX_REQUEST": "true"}

    first = auth_client.post("/account/security/authenticator/remove/", **htmx)
    assert first.status_code == 307
    dialog = auth_client.post(first["Location"], **htmx)

    assert "<dialog data-reauth" in dialog.content.decode()
    assert dialog["HX-Retarget"] == "body" and dialog["HX-Reswap"] == "beforeend"
    assert "pacetrack:reauth-required" in dialog["HX-Trigger"]
    done = auth_client.post(
        first["Location"],
        {
            "reauth-submit": "1",
            "reauth-method": "POST",
            "reauth-factor": "password",
            "reauth-password": DEFAULT_PASSWORD,
        },
        **htmx,
    )
    assert done.status_code == 204
    assert "pacetrack:reauthenticated" in done["HX-Trigger"]
    # The page's script now sends the original request again.
    again = auth_client.post("/account/security/authenticator/remove/", **htmx)
    # Said as a toast (its region is there from the page's load, so it is read out).
    toasts = json.loads(again["HX-Trigger"])["toast"]["items"]
    assert {"level": "success", "message": "Your authenticator app is removed."} in toasts
    assert "Your authenticator app is removed." not in again.content.decode()
    assert not two_factor_status(user=user).enabled


def test_a_wrong_password_in_the_dialog_redraws_the_dialog_in_place(
    auth_client: Client, user: Any
) -> None:
    age_sign_in(user)

    response = auth_client.post(
        prompt("/account/password/"),
        {
            "reauth-submit": "1",
            "reauth-method": "POST",
            "reauth-factor": "password",
            "reauth-password": "nope",
        },
        HTTP_HX_REQUEST="true",
    )

    assert "<dialog data-reauth" in response.content.decode()
    assert "HX-Retarget" not in response  # the dialog's own form swaps it


# --- Every sensitive action is behind it -------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/account/password/"),
        ("post", "/account/email/"),
        ("post", "/account/delete/"),
        ("get", "/account/export/"),
        ("get", "/account/security/authenticator/"),
        ("post", "/account/security/authenticator/"),
        ("post", "/account/security/authenticator/remove/"),
        ("post", "/account/security/recovery-codes/"),
    ],
)
def test_account_actions_ask_again_after_ten_minutes(
    auth_client: Client, user: Any, method: str, path: str
) -> None:
    age_sign_in(user)

    response = getattr(auth_client, method)(path)

    assert response.status_code == (307 if method == "post" else 302)
    assert response["Location"] == prompt(path)


@pytest.mark.parametrize("action", ["transfer", "delete", "billing/portal"])
def test_workspace_actions_ask_again_after_ten_minutes(
    owner_client: Client, owner: Any, acme: Any, action: str
) -> None:
    age_sign_in(owner)
    path = f"/t/{acme.slug}/{'settings/' + action if action != 'billing/portal' else action}/"

    # A wrong password: a right one in the transfer form is the confirmation (above).
    response = owner_client.post(path, {"password": "not-my-password"})

    assert response.status_code == 307, path
    assert response["Location"] == prompt(path)
    assert not AuditEvent.objects.filter(tenant=acme, action__in=["tenant.deleted"]).exists()


def test_the_prompt_is_not_shown_to_someone_without_the_permission(
    client: Client, acme: Any, member_of_acme: Any
) -> None:
    client.force_login(member_of_acme)
    age_sign_in(member_of_acme)

    response = client.post(f"/t/{acme.slug}/settings/delete/")

    assert response.status_code == 403


def test_wrong_passwords_and_codes_to_confirm_are_listed_on_the_security_page(
    auth_client: Client, user: Any
) -> None:
    """Someone holding a signed-in session who cannot confirm it is them leaves a trace
    the owner sees, beside failed sign-ins."""
    secret, _ = enable_totp(user)
    age_sign_in(user)

    confirm(auth_client, "/account/password/", CHANGE_PASSWORD, factor="password", password="x")
    confirm(auth_client, "/account/password/", CHANGE_PASSWORD, factor="totp", code="000000")
    confirm(auth_client, "/account/password/", CHANGE_PASSWORD, factor="totp", code="12")  # shape
    right = confirm(
        auth_client, "/account/password/", CHANGE_PASSWORD, factor="totp", code=totp_code_at(secret)
    )
    assert right.status_code == 307

    activity = auth_client.get("/account/security/").context["activity"]
    failed = [item.title for item in activity if item.kind == "failed"]
    assert failed == [
        "Failed “Confirm it's you”: wrong two-factor code",
        "Failed “Confirm it's you”: wrong password",
    ]


@pytest.mark.parametrize(
    ("factors", "asks"),
    [
        ((), "Enter your password to continue."),
        (("totp",), "Enter your password or a code from your authenticator app to continue."),
        (("passkey",), "Use a passkey or your password to continue."),
        (
            ("passkey", "totp"),
            "Use a passkey, your password or a code from your authenticator app to continue.",
        ),
    ],
)
def test_the_prompt_names_the_ways_this_person_can_confirm(
    auth_client: Client, user: Any, factors: tuple[str, ...], asks: str
) -> None:
    from mfa.models import Passkey

    if "totp" in factors:
        enable_totp(user)
    if "passkey" in factors:
        Passkey.objects.create(user=user, name="Laptop", credential_id="c-1", public_key=b"\x01k")

    page = auth_client.get(prompt("/account/password/")).content.decode()

    assert asks in page
