"""The user admin hands out no admin power and sets no passwords.

Every attack is made over HTTP by a staff member holding only the model permissions
it needs (e.g. `accounts.change_user`), the way a support agent's account would be set
up; superusers are the only ones who grant staff status, groups or permissions.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client

from accounts.models import EmailDelivery, User
from accounts.services_email import password_reset_send
from accounts.services_lifecycle import account_delete
from core.models import AuditEvent
from sessions_app.models import Session
from tenants.models import Membership
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory, staff_with
from tests.accounts.mailtools import link_in
from tests.tenants.factories import OrgFactory, add_member

pytestmark = pytest.mark.django_db


def _signed_in(client: Client, staff: Any) -> Client:
    response = client.post("/admin/login/", {"username": staff.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302, "staff sign-in failed"
    return client


def _user_form(user: Any, **extra: str) -> dict[str, Any]:
    """What the change page posts for `user`, plus whatever an attacker adds."""
    return {
        "email": user.email,
        "name": user.name,
        "is_active": "on",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "sessions-TOTAL_FORMS": "0",
        "sessions-INITIAL_FORMS": "0",
        **extra,
    }


def _all_permission_ids() -> list[int]:
    return list(Permission.objects.values_list("pk", flat=True))


@pytest.fixture
def support(db: None) -> Any:
    """Staff allowed to edit users, nothing else."""
    return staff_with("accounts.change_user")


@pytest.fixture
def support_client(client: Client, support: Any) -> Client:
    return _signed_in(client, support)


# --- Admin power: staff status, superuser, groups, permissions ----------------------


def test_staff_with_change_user_cannot_make_themselves_superuser(
    support_client: Client, support: Any
) -> None:
    response = support_client.post(
        f"/admin/accounts/user/{support.pk}/change/",
        _user_form(
            support,
            is_staff="on",
            is_superuser="on",
            user_permissions=_all_permission_ids(),
        ),
    )

    assert response.status_code == 403
    support.refresh_from_db()
    assert not support.is_superuser
    assert set(support.user_permissions.values_list("codename", flat=True)) == {"change_user"}


def test_staff_with_change_user_cannot_grant_admin_power_to_a_customer(
    support_client: Client, support: Any, user: Any
) -> None:
    group = Group.objects.create(name="Everything")
    group.permissions.set(Permission.objects.all())

    response = support_client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        _user_form(
            user,
            name="Renamed by support",
            is_staff="on",
            is_superuser="on",
            groups=[group.pk],
            user_permissions=_all_permission_ids(),
        ),
    )

    assert response.status_code == 302  # the allowed change is saved ...
    user.refresh_from_db()
    assert user.name == "Renamed by support"
    assert not user.is_staff and not user.is_superuser  # ... the forged fields are not
    assert not user.groups.exists() and not user.user_permissions.exists()


def test_admin_power_fields_are_read_only_for_staff_and_editable_for_superusers(
    client: Client, support: Any, user: Any
) -> None:
    _signed_in(client, support)
    page = client.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()
    for field in ("is_staff", "is_superuser", "groups", "user_permissions", "email"):
        assert f'name="{field}"' not in page
    assert 'name="name"' in page

    client.post("/admin/logout/")
    _signed_in(client, UserFactory(is_staff=True, is_superuser=True))
    page = client.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()
    for field in ("is_staff", "is_superuser", "groups", "user_permissions", "email"):
        assert f'name="{field}"' in page


def test_staff_cannot_change_another_staff_members_or_a_superusers_account(
    support_client: Client,
) -> None:
    superuser = UserFactory(is_staff=True, is_superuser=True)
    colleague = UserFactory(is_staff=True)
    for target in (superuser, colleague):
        page = support_client.get(f"/admin/accounts/user/{target.pk}/change/")
        assert page.status_code == 200 and 'name="name"' not in page.content.decode()

        response = support_client.post(
            f"/admin/accounts/user/{target.pk}/change/",
            _user_form(target, name="Hijacked", is_active=""),
        )

        assert response.status_code == 403
        target.refresh_from_db()
        assert target.name != "Hijacked" and target.is_active


def test_superusers_grant_staff_status(client: Client, user: Any) -> None:
    _signed_in(client, UserFactory(is_staff=True, is_superuser=True))

    response = client.post(
        f"/admin/accounts/user/{user.pk}/change/", _user_form(user, is_staff="on")
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_staff


def test_staff_with_change_group_cannot_grant_their_group_permissions(client: Client) -> None:
    group = Group.objects.create(name="Support")
    staff = staff_with("auth.change_group", "auth.view_group")
    staff.groups.add(group)
    _signed_in(client, staff)

    assert client.get(f"/admin/auth/group/{group.pk}/change/").status_code == 403
    response = client.post(
        f"/admin/auth/group/{group.pk}/change/",
        {"name": "Support", "permissions": _all_permission_ids()},
    )

    assert response.status_code == 403
    assert not group.permissions.exists()


# --- Passwords: a reset email, never a password typed by staff ----------------------


def test_staff_cannot_set_a_users_password_in_admin(support_client: Client, user: Any) -> None:
    new = {"password1": "chosen-by-staff-123", "password2": "chosen-by-staff-123"}

    form_page = support_client.get(f"/admin/accounts/user/{user.pk}/password/")
    forged = support_client.post(f"/admin/accounts/user/{user.pk}/password/", new)
    support_client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        _user_form(user, password="md5$salt$0123456789abcdef0123456789abcdef", **new),
    )

    assert form_page.status_code != 200 and forged.status_code != 200
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)
    assert not user.check_password("chosen-by-staff-123")


def test_the_admins_own_password_form_is_refused(support_client: Client, support: Any) -> None:
    data = {
        "old_password": DEFAULT_PASSWORD,
        "new_password1": "changed-in-the-admin-1",
        "new_password2": "changed-in-the-admin-1",
    }

    page = support_client.get("/admin/password_change/")
    support_client.post("/admin/password_change/", data)

    assert (page.status_code, page["Location"]) == (302, "/account/#password")
    support.refresh_from_db()
    assert support.check_password(DEFAULT_PASSWORD)


def test_staff_send_a_password_reset_email_instead(
    support_client: Client,
    support: Any,
    user: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    page = support_client.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()
    assert f"/admin/accounts/user/{user.pk}/send-password-reset/" in page
    confirm = support_client.get(f"/admin/accounts/user/{user.pk}/send-password-reset/")
    assert confirm.status_code == 200 and user.email in confirm.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = support_client.post(f"/admin/accounts/user/{user.pk}/send-password-reset/")

    assert response.status_code == 302
    [message] = mailoutbox
    assert message.to == [user.email] and "/auth/password/reset/" in link_in(message)
    event = AuditEvent.objects.get(tenant=user.personal_tenant, action="staff.changed")
    assert event.actor == support and event.after == {"password": "reset email sent"}


def test_staff_cannot_send_a_superuser_a_reset_email(
    support_client: Client, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    superuser = UserFactory(is_staff=True, is_superuser=True)
    page = support_client.get(f"/admin/accounts/user/{superuser.pk}/send-password-reset/")
    assert "Only a superuser can send a password reset email" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = support_client.post(f"/admin/accounts/user/{superuser.pk}/send-password-reset/")
        support_client.post(
            "/admin/accounts/user/",
            {"action": "send_password_reset_emails", "_selected_action": [superuser.pk]},
        )

    assert response.status_code == 403
    assert mailoutbox == []


def test_staff_cannot_read_reset_links_in_email_deliveries(client: Client, user: Any) -> None:
    # Queued, not yet sent (worker backlog, provider down): the body holds the live link.
    password_reset_send(email=user.email)
    delivery = EmailDelivery.objects.get(to=[user.email])
    assert "/auth/password/reset/" in delivery.body_text
    staff = staff_with("accounts.view_emaildelivery")
    _signed_in(client, staff)

    page = client.get(f"/admin/accounts/emaildelivery/{delivery.pk}/change/")

    assert page.status_code == 200 and delivery.subject in page.content.decode()
    assert "/auth/password/reset/" not in page.content.decode()


@pytest.mark.parametrize("field", ["body_text", "body_html"])
def test_staff_cannot_rebuild_a_queued_reset_link_by_filtering_email_bodies(
    client: Client, user: Any, field: str
) -> None:
    """The attack: `?body_text__regex=/auth/password/reset/<known prefix>[A-M]` listed
    the row or not, a yes/no oracle that gave back the whole token in ~300 requests."""
    password_reset_send(email=user.email)
    delivery = EmailDelivery.objects.get(to=[user.email])
    token = delivery.body_text.split("/auth/password/reset/", 1)[1][:1]
    _signed_in(client, staff_with("accounts.view_emaildelivery"))
    listing = "/admin/accounts/emaildelivery/"

    for lookup in (f"{field}__regex", f"{field}__contains", f"{field}__startswith", field):
        probe = client.get(listing, {lookup: f"/auth/password/reset/{token}"})
        assert probe.status_code == 400, lookup
    # What the list offers still filters.
    offered = client.get(listing, {"status__exact": delivery.status})
    assert offered.status_code == 200 and delivery.subject in offered.content.decode()
    dated = client.get(listing, {"created_at__year": delivery.created_at.year})
    assert dated.status_code == 200 and delivery.subject in dated.content.decode()


def test_staff_adding_a_user_signs_them_up_without_a_password(client: Client) -> None:
    staff = staff_with("accounts.add_user", "accounts.change_user")
    _signed_in(client, staff)

    response = client.post(
        "/admin/accounts/user/add/",
        {"email": "New.Person@Example.com", "name": "New Person", "password1": "x"},
    )

    assert response.status_code == 302
    created = User.objects.get(email="new.person@example.com")
    assert not created.has_usable_password()
    assert created.personal_tenant.memberships.get().user == created
    event = AuditEvent.objects.get(tenant=created.personal_tenant, action="staff.changed")
    assert event.actor == staff


# --- Deleting accounts: the deletion service, never a row delete --------------------


def test_users_cannot_be_hard_deleted_in_the_admin(client: Client, user: Any) -> None:
    _signed_in(client, UserFactory(is_staff=True, is_superuser=True))

    assert client.get(f"/admin/accounts/user/{user.pk}/delete/").status_code == 403
    client.post(f"/admin/accounts/user/{user.pk}/delete/", {"post": "yes"})
    client.post(
        "/admin/accounts/user/",
        {"action": "delete_selected", "_selected_action": [user.pk], "post": "yes"},
    )

    user.refresh_from_db()
    assert user.is_active


def test_staff_delete_accounts_through_the_deletion_service(
    client: Client, user: Any, other_user: Any
) -> None:
    OrgFactory(owner=other_user, name="Only Owner Inc")
    staff = staff_with("accounts.view_user", "accounts.delete_user")
    _signed_in(client, staff)
    selected = {"action": "delete_accounts", "_selected_action": [user.pk, other_user.pk]}

    confirm = client.post("/admin/accounts/user/", selected)
    assert confirm.status_code == 200 and user.email in confirm.content.decode()
    user.refresh_from_db()
    assert user.is_active  # nothing happens before the confirmation
    done = client.post("/admin/accounts/user/", {**selected, "post": "yes"}, follow=True)

    user.refresh_from_db()
    other_user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password()
    assert user.personal_tenant.is_deleted
    actions = dict(
        AuditEvent.objects.filter(tenant=user.personal_tenant).values_list("action", "actor")
    )
    assert actions["account.deleted"] == user.pk and actions["staff.deleted"] == staff.pk
    assert other_user.is_active  # the only owner of an org is refused, and told why
    assert "only owner of Only Owner Inc" in done.content.decode()


# --- Deactivating an account -------------------------------------------------------------


def test_staff_cannot_deactivate_the_only_owner_of_an_organisation(
    support_client: Client, other_user: Any
) -> None:
    """Unticking "Active" left Beta Org with no owner who could act, where the "Delete
    accounts" action beside it refuses."""
    OrgFactory(owner=other_user, name="Beta Org")

    response = support_client.post(
        f"/admin/accounts/user/{other_user.pk}/change/", _user_form(other_user, is_active="")
    )

    assert response.status_code == 200
    assert "only owner of Beta Org: make someone else an owner first" in response.content.decode()
    other_user.refresh_from_db()
    assert other_user.is_active


def test_deactivating_ends_every_session_and_hands_the_contact_roles_on(
    support_client: Client, other_user: Any
) -> None:
    """Sessions only paused while the account was inactive: re-enabling a compromised
    account brought the attacker's sessions back. The primary and billing contact
    roles stayed with someone who could no longer act."""
    org = OrgFactory(owner=other_user, name="Beta Org")
    second_owner = add_member(org, role_key="owner")
    membership = Membership.objects.get(tenant=org, user=other_user)
    assert membership.is_primary_contact and membership.is_billing_contact
    victim = Client()
    victim.force_login(other_user)
    assert victim.get("/account/").status_code == 200

    deactivated = support_client.post(
        f"/admin/accounts/user/{other_user.pk}/change/", _user_form(other_user, is_active="")
    )
    assert deactivated.status_code == 302
    reactivated = support_client.post(
        f"/admin/accounts/user/{other_user.pk}/change/", _user_form(other_user, is_active="on")
    )
    assert reactivated.status_code == 302

    other_user.refresh_from_db()
    assert other_user.is_active
    assert victim.get("/account/").status_code == 302, "the old session stays ended"
    assert Session.objects.filter(user=other_user, revoked_at__isnull=True).count() == 0
    membership.refresh_from_db()
    second_owner.refresh_from_db()
    assert not membership.is_primary_contact and second_owner.is_primary_contact
    assert second_owner.is_billing_contact  # billing email reaches someone who can act


def test_only_a_superuser_reactivates_a_deleted_account(support_client: Client, user: Any) -> None:
    """Staff could reactivate a deleted account but not clear its workspace's deletion
    date (superuser-only): a half-restored account whose /app/ was a 404."""
    account_delete(user=user)

    support_client.post(f"/admin/accounts/user/{user.pk}/change/", _user_form(user))

    user.refresh_from_db()
    assert not user.is_active


@pytest.mark.django_db(transaction=True)
def test_a_superuser_moving_an_account_to_another_address_ends_the_old_mailboxs_links(
    client: Client, user: Any, staff: Any
) -> None:
    """Support moved someone off a mailbox they lost: a reset link already sent there
    still worked, the old address was not told, and the log had only "staff changed"."""
    from django.core import mail

    from accounts.exceptions import TokenError
    from accounts.services_email import password_reset_check

    old_email = user.email
    password_reset_send(email=old_email)
    raw = link_in(mail.outbox[-1]).rstrip("/").rsplit("/", 1)[-1]
    password_reset_check(raw_token=raw)  # the link works until the move
    _signed_in(client, staff)

    page = client.post(
        f"/admin/accounts/user/{user.pk}/change/", _user_form(user, email="new.home@example.com")
    )

    assert page.status_code == 302
    user.refresh_from_db()
    assert user.email == "new.home@example.com" and user.is_email_verified
    with pytest.raises(TokenError):
        password_reset_check(raw_token=raw)
    [told] = [m for m in mail.outbox if m.to == [old_email] and "changed" in m.subject]
    assert "new.home@example.com" in told.body
    event = AuditEvent.objects.get(action="account.email_changed")
    assert event.actor == staff
    assert (event.before, event.after) == ({"email": old_email}, {"email": "new.home@example.com"})
