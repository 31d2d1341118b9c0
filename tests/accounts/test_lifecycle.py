"""Deleting an account (/account/delete/), purging it later, and the data export."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from core.models import AuditEvent
from sessions_app.models import Session
from sessions_app.services import session_create
from tenants.models import Membership
from tenants.signals import membership_removed
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.tenants.factories import OrgFactory, add_member

pytestmark = pytest.mark.django_db


def _delete(client: Any, password: str = DEFAULT_PASSWORD, confirm: bool = True) -> Any:
    data = {"password": password, **({"confirm": "on"} if confirm else {})}
    return client.post("/account/delete/", data)


def test_the_last_owner_of_an_org_is_refused_and_told_which(auth_client: Any, user: Any) -> None:
    OrgFactory(owner=user, name="Solo Org")
    shared = OrgFactory(owner=user, name="Shared Org")
    add_member(shared, role_key="owner")

    page = auth_client.get("/account/delete/").content.decode()
    response = _delete(auth_client)

    notice = page.split('data-testid="blocking-orgs"', 1)[1].split("</div>", 1)[0]
    assert "Solo Org" in notice and "Shared Org" not in notice
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.is_active


def test_after_deleting_the_orgs_they_owned_alone_the_account_can_be_deleted(
    auth_client: Any, user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """What the deletion page tells the last owner to do: delete the organisation first.
    Deleting the account then went on to "leave" that deleted organisation as its last
    owner, and failed with a 400."""
    from tenants.services import tenant_delete

    solo = OrgFactory(owner=user, name="Solo Org")
    tenant_delete(tenant=solo, acting_user=user)
    assert "Solo Org" not in auth_client.get("/account/delete/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = _delete(auth_client)

    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active and user.personal_tenant.is_deleted


def test_wrong_password_or_no_confirmation_is_refused(auth_client: Any, user: Any) -> None:
    wrong = _delete(auth_client, password="not-my-password")
    unticked = _delete(auth_client, confirm=False)

    assert "That isn&#x27;t your current password." in wrong.content.decode()
    assert "Tick the box to confirm." in unticked.content.decode()
    user.refresh_from_db()
    assert user.is_active


def test_deleting_removes_memberships_sessions_and_the_personal_workspace(
    auth_client: Any, user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    owner = UserFactory()
    org = OrgFactory(owner=owner, name="Team Org")
    add_member(org, user=user, role_key="admin")
    co_owned = OrgFactory(owner=user, name="Co-owned")
    add_member(co_owned, role_key="owner")
    other_device = session_create(user_id=user.pk, token="x" * 43)
    removed: list[Any] = []
    membership_removed.connect(lambda **kw: removed.append(kw["tenant"]), weak=False)

    with django_capture_on_commit_callbacks(execute=True):
        response = _delete(auth_client)

    assert response.status_code == 302 and response["Location"] == "/"
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password()
    assert not Membership.objects.filter(user=user, tenant__kind="org").exists()
    assert {t.pk for t in removed} >= {org.pk, co_owned.pk}  # through the service: signals fire
    co_owned.refresh_from_db()
    assert co_owned.memberships.get().is_primary_contact  # handed to the remaining owner
    assert user.personal_tenant.is_deleted
    other_device.refresh_from_db()
    assert other_device.revoked_at is not None
    assert auth_client.get("/account/").status_code == 302  # signed out here too
    assert AuditEvent.objects.filter(tenant=user.personal_tenant, action="account.deleted").exists()
    # Said as what happened: "Member left" read as if they had chosen to go.
    [left] = AuditEvent.objects.filter(tenant=org, actor=user, action__startswith="member.")
    assert left.action == "member.account_deleted"
    assert left.get_action_display() == "Member deleted their account"


def test_the_address_is_told_the_account_was_deleted_and_how_to_restore_it(
    auth_client: Any,
    user: Any,
    settings: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """A security notice: someone holding the password (and a session) deleted the
    account silently, and the 30 days left to restore it went by unknown."""
    settings.SUPPORT_EMAIL = "help@pacetrack.test"
    type(user).objects.filter(pk=user.pk).update(language="de")

    with django_capture_on_commit_callbacks(execute=True):
        _delete(auth_client)

    [notice] = [m for m in mailoutbox if m.to == [user.email]]
    assert notice.subject == "Ihr Pacetrack-Konto wurde gelöscht"
    body = " ".join(notice.body.split())
    assert f"({user.email})" in body and "30 Tage" in body
    assert "help@pacetrack.test" in body
    assert "http" not in body  # nothing to click: restoring goes through support


def test_the_email_is_freed_after_the_grace_period(
    auth_client: Any, user: Any, settings: Any
) -> None:
    settings.ACCOUNTS_DELETION_GRACE_DAYS = 30
    email = user.email
    _delete(auth_client)

    call_command("purge_deleted_accounts")
    assert User.objects.filter(email=email).exists()  # still reserved
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        call_command("purge_deleted_accounts")

    user.refresh_from_db()
    assert user.email == f"deleted-{user.pk}@deleted.invalid" and user.name == ""
    assert UserFactory(email=email).pk != user.pk  # the address can sign up again


def test_export_downloads_profile_memberships_sessions_and_uploads(
    auth_client: Any, user: Any
) -> None:
    from django.core.files.base import ContentFile

    from uploads.services import upload_create

    org = OrgFactory(owner=user, name="Export Org")
    upload_create(
        tenant=org,
        uploaded_by=user,
        file=ContentFile(b"hi", name="a.txt"),
        extension="txt",
        content_type="text/plain",
    )

    response = auth_client.get("/account/export/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="pacetrack-data-')
    data = json.loads(response.content)
    assert data["profile"]["email"] == user.email
    assert {m["workspace"] for m in data["memberships"]} >= {"Export Org"}
    assert data["uploads"][0]["filename"] == "a.txt"
    assert isinstance(data["sessions"], list) and data["sessions"]
    # The files are listed, not included, and the page offering it says so (it said
    # "and the files you uploaded", and a walk looked for them in the 3 KB file).
    assert "hi" not in json.dumps(data["uploads"])
    offer = " ".join(auth_client.get("/account/delete/").content.decode().split())
    assert "and a list of the files you uploaded (names, sizes, dates;" in offer


def test_export_holds_everything_about_the_person_and_no_secret(
    auth_client: Any, user: Any, acme: Any
) -> None:
    """The page promises everything: language and time zone, two-factor, passkeys,
    failed sign-ins, known devices, linked accounts, organisation sign-ins and join
    requests are in it; the secrets behind them are not."""
    from accounts.models import KnownDevice
    from mfa.models import FailedSignIn, Passkey, RecoveryCode, TOTPDevice
    from sso.crypto import client_secret_encrypt
    from sso.models import Connection, JoinRequest, OrgIdentity, SocialIdentity
    from tests.mfa.helpers import enable_totp

    user.language, user.time_zone = "de", "Europe/Berlin"
    user.save(update_fields=["language", "time_zone"])
    secret, codes = enable_totp(user)
    Passkey.objects.create(
        user=user, name="Laptop", credential_id="cred-1", public_key=b"\x01key", backed_up=True
    )
    FailedSignIn.objects.create(user=user, stage="password", ip_address="203.0.113.9")
    KnownDevice.objects.create(user=user, fingerprint="f" * 64, ip_network="203.0.113.0/24")
    SocialIdentity.objects.create(user=user, provider="github", subject="gh-42", email="a@b.c")
    connection = Connection.objects.create(
        tenant=acme,
        issuer="https://idp.acme.example",
        client_id="pacetrack",
        client_secret_encrypted=client_secret_encrypt("idp-secret"),
        default_role=acme.roles.get(key="member"),
    )
    OrgIdentity.objects.create(tenant=acme, connection=connection, user=user, subject="idp-7")
    JoinRequest.objects.create(tenant=acme, user=user)

    response = auth_client.get("/account/export/")

    text = response.content.decode()
    data = json.loads(text)
    assert (data["profile"]["language"], data["profile"]["time_zone"]) == ("de", "Europe/Berlin")
    two_factor = data["two_factor"]
    assert two_factor["authenticator_app"]["added_at"]
    assert (
        two_factor["recovery_codes"]["total"]
        == len(codes)
        == two_factor["recovery_codes"]["unused"]
    )
    assert [(p["name"], p["synced"]) for p in data["passkeys"]] == [("Laptop", True)]
    assert [(f["stage"], f["ip_address"]) for f in data["failed_sign_ins"]] == [
        ("password", "203.0.113.9")
    ]
    assert "203.0.113.0/24" in [d["ip_network"] for d in data["known_devices"]]
    assert [(a["provider"], a["subject"]) for a in data["linked_accounts"]] == [("github", "gh-42")]
    assert [(o["workspace"], o["subject"]) for o in data["organisation_sign_ins"]] == [
        (acme.name, "idp-7")
    ]
    assert [j["workspace"] for j in data["join_requests"]] == [acme.name]
    stored = [
        user.password,
        secret,
        TOTPDevice.objects.get(user=user).secret_encrypted,
        *codes,
        *RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True),
        "idp-secret",
        connection.client_secret_encrypted,
    ]
    assert not [value for value in stored if value and value in text]


def test_the_your_data_tab_opens_without_asking_and_links_the_download_through_the_prompt(
    auth_client: Any, user: Any
) -> None:
    """Looking asks nothing; the download still does, so once the confirmation has
    lapsed the button goes to the prompt, which comes back to this page."""
    from tests.mfa.helpers import age_sign_in

    fresh = auth_client.get("/account/delete/").content.decode()
    assert 'href="/account/export/" download' in fresh

    age_sign_in(user)
    response = auth_client.get("/account/delete/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/auth/confirm/?next=%2Faccount%2Fdelete%2F%23export"' in html
    assert "/account/export/" not in html
    assert auth_client.get("/account/export/").status_code == 302  # still behind it
    assert auth_client.post("/account/delete/", {"confirm": "on"}).status_code == 307


def test_both_pages_need_a_signed_in_user(client: Any) -> None:
    assert client.get("/account/delete/").status_code == 302
    assert client.get("/account/export/").status_code == 302
    assert Session.objects.count() == 0
