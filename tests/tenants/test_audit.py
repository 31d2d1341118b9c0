"""The audit log: one event per audited action, written in the action's transaction,
immutable everywhere (model, queryset, database), and readable by owners and admins."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from accounts.services import user_locale_set
from api.services import api_key_create
from billing.audit import BillingAction
from billing.subscriptions import account_subscription_apply
from core.audit import audit_record, personal_tenant_of
from core.audit_actions import audit_action_choices, audit_action_groups
from core.models import AuditEvent
from sessions_app.audit import SessionAction
from sessions_app.models import Session
from sessions_app.services import session_create, session_revoke, session_revoke_all_for_user
from tenants import services
from tenants.audit import TenantAction as A
from tenants.exceptions import LastOwnerError
from tenants.invitations import invitation_cancel, invitation_create, invitation_resend
from tenants.models import Role, Tenant
from tenants.views.audit import WHO_MENU_LIMIT
from tests.accounts.factories import UserFactory
from tests.sessions_app.helpers import FIREFOX_LINUX
from tests.tenants.factories import OrgFactory, add_member
from tests.uploads.conftest import make_image
from uploads import services as upload_services
from uploads.audit import FileAction
from uploads.images import image_normalize

pytestmark = pytest.mark.django_db


def _only(tenant: Any, action: str) -> AuditEvent:
    events = list(AuditEvent.objects.for_tenant(tenant).filter(action=action))
    assert len(events) == 1, [e.action for e in AuditEvent.objects.for_tenant(tenant)]
    return events[0]


def _actions(tenant: Any) -> list[str]:
    return list(AuditEvent.objects.for_tenant(tenant).values_list("action", flat=True))


# --- One event per audited action --------------------------------------------------


def test_creating_an_organisation_starts_its_log(owner_client: Any, owner: Any) -> None:
    """A new org's log said "Nothing has happened here yet"."""
    owner_client.post("/account/tenants/new/", {"name": "Globex", "account": "new"})
    globex = Tenant.objects.get(name="Globex")

    event = _only(globex, A.TENANT_CREATED)
    assert (event.actor, event.target_label) == (owner, "Globex")
    assert event.after == {"name": "Globex", "owner": owner.email}
    page = owner_client.get(f"/t/{globex.slug}/audit/").content.decode()
    assert "Workspace created" in page and "Nothing has happened here yet" not in page
    with translation.override("de"):
        workspace = dict(audit_action_groups())["Arbeitsbereich"]
    assert ("tenant.created", "Arbeitsbereich erstellt") in workspace


def test_signing_up_starts_the_personal_workspaces_log(client: Any, settings: Any) -> None:
    """A personal workspace's log began with whatever happened next (a password change,
    a device): nothing said when, or for whom, the workspace was made."""
    settings.ACCOUNTS_SIGNUP_EMAIL_CONFIRMATION = False
    client.post(
        "/auth/sign-up/",
        {"name": "Ada Lovelace", "email": "ada@example.com", "password": "analytical-engine-1843"},
    )
    personal = Tenant.objects.get(personal_owner__email="ada@example.com")

    event = _only(personal, A.TENANT_CREATED)
    assert (event.actor.email, event.target_label) == ("ada@example.com", personal.name)
    assert event.after == {"name": personal.name, "owner": "ada@example.com"}
    page = client.get(f"/t/{personal.slug}/audit/").content.decode()
    assert "Workspace created" in page


def test_member_joined(acme: Any, owner: Any) -> None:
    newcomer = UserFactory(email="new@example.com")
    member_role = Role.objects.get(tenant=acme, key="member")

    services.membership_create(tenant=acme, user=newcomer, role=member_role, acting_user=owner)

    event = _only(acme, A.MEMBER_JOINED)
    assert (event.actor, event.target_label, event.after) == (
        owner,
        "new@example.com",
        {"role": "Member"},
    )


def test_member_removed_and_member_left(acme: Any, owner: Any) -> None:
    removed, leaving = add_member(acme), add_member(acme)

    services.membership_remove(tenant=acme, membership=removed, acting_user=owner)
    services.membership_leave(tenant=acme, membership=leaving)

    event = _only(acme, A.MEMBER_REMOVED)
    assert (event.actor, event.target_label) == (owner, removed.user.email)
    assert event.before == {"role": "Member"}
    assert _only(acme, A.MEMBER_LEFT).actor == leaving.user


def test_role_changed(acme: Any, owner: Any) -> None:
    membership = add_member(acme)
    admin = Role.objects.get(tenant=acme, key="admin")

    services.membership_change_role(
        tenant=acme, membership=membership, role=admin, acting_user=owner
    )

    event = _only(acme, A.MEMBER_ROLE_CHANGED)
    assert (event.before, event.after) == ({"role": "Member"}, {"role": "Admin"})


def test_the_log_page_says_each_change_in_the_readers_language(
    acme: Any, owner: Any, owner_client: Any
) -> None:
    membership = add_member(acme)
    admin = Role.objects.get(tenant=acme, key="admin")
    services.membership_change_role(
        tenant=acme, membership=membership, role=admin, acting_user=owner
    )
    services.membership_set_billing_contact(
        tenant=acme, membership=membership, is_billing_contact=True, acting_user=owner
    )
    services.role_create(tenant=acme, name="Lesende", permissions=[], acting_user=owner)
    services.team_create(tenant=acme, name="Vertrieb", parent=None, acting_user=owner)
    type(owner).objects.filter(pk=owner.pk).update(language="de")

    html = owner_client.get(f"/t/{acme.slug}/audit/").content.decode()
    arrow = ' <span class="inline-block rtl:-scale-x-100">→</span> '
    # The key, a built-in role's name, yes/no and "none" in German; a custom role's name
    # as typed.
    assert (
        '<span class="font-medium text-slate-700">Rolle</span>: '
        f'<span class="text-slate-500 line-through">Mitglied</span>{arrow}<span>Admin</span>'
    ) in html
    assert (
        '<span class="font-medium text-slate-700">Abrechnungskontakt</span>: '
        f'<span class="text-slate-500 line-through">nein</span>{arrow}<span>ja</span>'
    ) in html
    assert '<span class="font-medium text-slate-700">Berechtigungen</span>: <span>keine</span>' in (
        html
    )
    # A name is theirs: a translating browser leaves it as typed.
    assert (
        '<span class="font-medium text-slate-700">Name</span>: <span translate="no">Lesende</span>'
        in html
    )
    # A team made without a parent: the key with a dash, not an empty value.
    assert (
        '<span class="font-medium text-slate-700">Übergeordnetes Team</span>: <span>—</span>'
        in (html)
    )
    for english in (">role<", ">billing contact<", ">Member<", ">yes<", ">no<", ">none<"):
        assert english not in html


def _pro_subscription(status: str) -> dict[str, Any]:
    """A Pro subscription as the provider sends it (its plan in the metadata)."""
    return {
        "id": "sub_1",
        "status": status,
        "customer": "cus_1",
        "metadata": {"plan": "pro"},
        "items": {"data": [{"price": {"id": "price_unknown"}, "quantity": 2}]},
    }


def _change(html: str, key: str, before: str | None, after: str | None) -> str:
    """The markup the log page writes for one change, as the template lays it out."""
    arrow = ' <span class="inline-block rtl:-scale-x-100">→</span> '
    said = f'<span class="font-medium text-slate-700">{key}</span>: '
    if before is not None:
        said += f'<span class="text-slate-500 line-through">{before}</span>'
        said += arrow if after is not None else ""
    if after is not None:
        said += f"<span>{after}</span>"
    return said


def test_codes_stored_in_a_workspace_log_are_said_in_the_readers_language(
    acme: Any, owner: Any, owner_client: Any
) -> None:
    account_subscription_apply(
        account=acme.account, subscription=_pro_subscription("past_due"), as_of=None
    )
    team = services.team_create(tenant=acme, name="Vertrieb", acting_user=owner)
    services.team_member_add(
        tenant=acme, team=team, membership=add_member(acme), acting_user=None, via_sso=True
    )
    expires = datetime(2027, 2, 23, 2, 53, tzinfo=UTC)
    api_key_create(tenant=acme, name="CI", scopes=[], expires_at=expires, acting_user=owner)
    type(owner).objects.filter(pk=owner.pk).update(language="de", time_zone="Europe/Berlin")

    html = owner_client.get(f"/t/{acme.slug}/audit/").content.decode()

    # Stored as "free", "pro", "past_due" and "sso groups": the page says what they mean.
    assert _change(html, "Tarif", "Free", "Pro") in html
    assert _change(html, "Status", None, "Überfällig") in html
    assert _change(html, "Über", None, "Gruppen aus dem Single Sign-On") in html
    # A moment stored as ISO 8601, in the reader's format and zone.
    assert _change(html, "Läuft ab", None, "23. Februar 2027, 03:53 CET") in html
    assert "2027-02-23T" not in html
    for code in (">free<", ">pro<", ">past_due<", ">sso groups<"):
        assert code not in html


def test_codes_stored_in_a_personal_log_are_said_in_the_readers_language(client: Any) -> None:
    user = UserFactory(language="ar")
    staff = UserFactory(is_staff=True)
    session_create(user_id=user.pk, token="a" * 43)
    session_revoke_all_for_user(user=user, reason=Session.RevokedReason.ADMIN, acting_user=staff)
    user_locale_set(user=user, language="", time_zone=user.time_zone, acting_user=user)
    user_locale_set(user=user, language="de", time_zone=user.time_zone, acting_user=user)
    client.force_login(user)

    html = client.get(f"/t/{personal_tenant_of(user_id=user.pk).slug}/audit/").content.decode()

    # Stored as "admin", "ar", "" and "de".
    assert _change(html, "Grund", None, "Von einem Administrator widerrufen") in html
    # Each language under its own name, as the language menu lists it; blank is the browser's.
    assert _change(html, "Sprache", "العربية", "Sprache des Browsers") in html
    assert _change(html, "Sprache", "Sprache des Browsers", "Deutsch") in html
    for code in (">admin<", ">ar<", ">de<"):
        assert code not in html


def test_custom_role_created_updated_and_deleted(acme: Any, owner: Any) -> None:
    role = services.role_create(
        tenant=acme, name="Editors", permissions=["teams.manage"], acting_user=owner
    )
    services.role_update(tenant=acme, role=role, name="Writers", permissions=[], acting_user=owner)
    role_id = role.pk
    services.role_delete(tenant=acme, role=role, acting_user=owner)

    assert _only(acme, A.ROLE_CREATED).after == {
        "name": "Editors",
        "permissions": ["teams.manage"],
    }
    updated = _only(acme, A.ROLE_UPDATED)
    assert (updated.before["name"], updated.after["name"]) == ("Editors", "Writers")
    deleted = _only(acme, A.ROLE_DELETED)
    assert (deleted.target_label, deleted.target_id) == ("Writers", str(role_id))


def test_a_role_rename_logs_only_the_name(acme: Any, owner: Any) -> None:
    role = services.role_create(
        tenant=acme, name="Editors", permissions=["teams.manage"], acting_user=owner
    )
    services.role_update(
        tenant=acme, role=role, name="Writers", permissions=["teams.manage"], acting_user=owner
    )

    updated = _only(acme, A.ROLE_UPDATED)
    assert (updated.before, updated.after) == ({"name": "Editors"}, {"name": "Writers"})


def test_contact_flags_changed(acme: Any, owner: Any) -> None:
    membership = add_member(acme)

    services.membership_set_billing_contact(
        tenant=acme, membership=membership, is_billing_contact=True, acting_user=owner
    )
    services.membership_set_primary_contact(tenant=acme, membership=membership, acting_user=owner)

    billing, primary = AuditEvent.objects.for_tenant(acme).filter(action=A.MEMBER_CONTACT_CHANGED)[
        ::-1
    ]
    assert (billing.before, billing.after) == (
        {"billing_contact": False},
        {"billing_contact": True},
    )
    assert primary.before == {"primary_contact": owner.email}
    assert primary.after == {"primary_contact": membership.user.email}


def test_tenant_renamed_moved_and_deleted(acme: Any, owner: Any) -> None:
    services.tenant_rename(tenant=acme, name="Acme Corp", acting_user=owner)
    old_slug = acme.slug
    services.tenant_change_slug(tenant=acme, slug="acme-corp", acting_user=owner)
    services.tenant_delete(tenant=acme, acting_user=owner)

    renamed = _only(acme, A.TENANT_RENAMED)
    assert (renamed.before, renamed.after) == ({"name": "Acme"}, {"name": "Acme Corp"})
    assert _only(acme, A.TENANT_SLUG_CHANGED).before == {"slug": old_slug}
    assert _only(acme, A.TENANT_DELETED).actor == owner


def test_a_rename_to_the_same_name_is_not_an_event(acme: Any, owner: Any) -> None:
    services.tenant_rename(tenant=acme, name="Acme", acting_user=owner)

    assert _actions(acme) == [A.TENANT_CREATED]  # the org's first event, nothing since


def test_plan_changed_by_the_provider_is_logged_in_every_workspace_of_the_account(
    acme: Any,
) -> None:
    account_subscription_apply(
        account=acme.account, subscription=_pro_subscription("active"), as_of=None
    )

    event = _only(acme, BillingAction.PLAN_CHANGED)
    assert event.actor is None  # the provider, through a webhook or sync
    assert (event.before, event.after) == ({"plan": "free"}, {"plan": "pro", "status": "active"})


def test_file_uploaded_and_deleted(acme: Any, owner: Any) -> None:
    upload = upload_services.upload_create(
        tenant=acme,
        uploaded_by=owner,
        file=ContentFile(b"hello", name="Notes.txt"),
        extension="txt",
        content_type="text/plain",
    )
    upload_services.upload_delete(tenant=acme, upload=upload, acting_user=owner)

    assert _only(acme, FileAction.UPLOADED).target_label == "Notes.txt"
    deleted = _only(acme, FileAction.DELETED)
    assert (deleted.actor, deleted.target_label, deleted.before["size"]) == (owner, "Notes.txt", 5)


def test_team_created_renamed_and_deleted(acme: Any, owner: Any) -> None:
    parent = services.team_create(tenant=acme, name="Engineering", acting_user=owner)
    team = services.team_create(tenant=acme, name="Web", parent=parent, acting_user=owner)
    services.team_update(tenant=acme, team=team, name="Frontend", parent=None, acting_user=owner)
    services.team_update(tenant=acme, team=team, name="Frontend", parent=None, acting_user=owner)
    services.team_delete(tenant=acme, team=team, acting_user=owner)

    created = AuditEvent.objects.for_tenant(acme).filter(action=A.TEAM_CREATED)
    assert [(e.actor, e.after) for e in created][::-1] == [
        (owner, {"name": "Engineering", "parent": None}),
        (owner, {"name": "Web", "parent": "Engineering"}),
    ]
    updated = _only(acme, A.TEAM_UPDATED)  # the unchanged second save is not an event
    assert (updated.before, updated.after) == (
        {"name": "Web", "parent": "Engineering"},
        {"name": "Frontend", "parent": None},
    )
    deleted = _only(acme, A.TEAM_DELETED)
    assert (deleted.actor, deleted.target_label, deleted.before) == (
        owner,
        "Frontend",
        {"name": "Frontend"},
    )


def test_a_team_update_logs_only_what_changed(acme: Any, owner: Any) -> None:
    """A rename logged "Parent team: — → —" too, although the parent stayed."""
    parent = services.team_create(tenant=acme, name="Engineering", acting_user=owner)
    team = services.team_create(tenant=acme, name="Web", parent=parent, acting_user=owner)
    other = services.team_create(tenant=acme, name="Product", acting_user=owner)

    services.team_update(tenant=acme, team=team, name="Frontend", parent=parent, acting_user=owner)
    services.team_update(tenant=acme, team=team, name="Frontend", parent=other, acting_user=owner)

    updates = AuditEvent.objects.for_tenant(acme).filter(action=A.TEAM_UPDATED).order_by("pk")
    assert [(e.before, e.after) for e in updates] == [
        ({"name": "Web"}, {"name": "Frontend"}),
        ({"parent": "Engineering"}, {"parent": "Product"}),
    ]
    owner_page = Client()
    owner_page.force_login(owner)
    page = owner_page.get(f"/t/{acme.slug}/audit/?action={A.TEAM_UPDATED}").content.decode()
    assert "Parent team" in page and page.count("Parent team") == 1


def test_team_membership_added_and_removed(acme: Any, owner: Any) -> None:
    team = services.team_create(tenant=acme, name="Design", acting_user=owner)
    membership = add_member(acme)

    services.team_member_add(tenant=acme, team=team, membership=membership, acting_user=owner)
    services.team_member_remove(tenant=acme, team=team, membership=membership, acting_user=owner)
    services.team_member_remove(tenant=acme, team=team, membership=membership, acting_user=owner)

    added = _only(acme, A.TEAM_MEMBER_ADDED)
    assert (added.actor, added.target_label, added.after) == (
        owner,
        membership.user.email,
        {"team": "Design"},
    )
    removed = _only(acme, A.TEAM_MEMBER_REMOVED)  # removing again changes nothing
    assert (removed.target_label, removed.before) == (membership.user.email, {"team": "Design"})


def test_invitation_resent_and_cancelled(
    acme: Any, owner: Any, django_capture_on_commit_callbacks: Any
) -> None:
    member_role = Role.objects.get(tenant=acme, key="member")
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(
            tenant=acme, email="new@example.com", role=member_role, acting_user=owner
        )
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        invitation_resend(tenant=acme, invitation=invitation, acting_user=owner)
        invitation_cancel(tenant=acme, invitation=invitation, acting_user=owner)
        invitation_cancel(tenant=acme, invitation=invitation, acting_user=owner)

    resent = _only(acme, A.INVITATION_RESENT)
    assert (resent.actor, resent.target_label) == (owner, "new@example.com")
    cancelled = _only(acme, A.INVITATION_CANCELLED)  # cancelling twice is one event
    assert (cancelled.actor, cancelled.target_label, cancelled.before) == (
        owner,
        "new@example.com",
        {"role": "Member"},
    )


def test_logo_changed_and_removed(acme: Any, owner: Any) -> None:
    data = make_image("PNG", (64, 64))
    image = image_normalize(io.BytesIO(data), filename="Brand.png", size=len(data))

    upload_services.logo_update(tenant=acme, image=image, acting_user=owner)
    upload_services.logo_remove(tenant=acme, acting_user=owner)
    upload_services.logo_remove(tenant=acme, acting_user=owner)

    changed = _only(acme, A.LOGO_CHANGED)
    assert (changed.actor, changed.target_label) == (owner, "Brand.png")
    removed = _only(acme, A.LOGO_REMOVED)  # removing a missing logo is not an event
    assert (removed.actor, removed.target_label) == (owner, "Acme")


def test_session_revoked_by_staff_goes_to_the_users_personal_log(user: Any) -> None:
    staff = UserFactory(is_staff=True)
    session = session_create(
        user_id=user.pk, token="t" * 43, ip_address="203.0.113.9", user_agent=FIREFOX_LINUX
    )

    session_revoke(session=session, reason=Session.RevokedReason.ADMIN, acting_user=staff)

    event = _only(user.personal_tenant, SessionAction.REVOKED)
    assert event.actor == staff
    # Product names and the address: nothing to translate for the reader of the log.
    assert event.target_label == "Firefox · Linux · 203.0.113.9"


def test_a_user_signing_out_their_own_device_is_not_an_audit_event(user: Any) -> None:
    session = session_create(user_id=user.pk, token="u" * 43)

    session_revoke(session=session, reason=Session.RevokedReason.REVOKED_BY_USER, acting_user=user)

    assert not AuditEvent.objects.filter(action=SessionAction.REVOKED).exists()


def test_revoking_all_sessions_as_an_operator_is_one_event(user: Any) -> None:
    session_create(user_id=user.pk, token="a" * 43)
    session_create(user_id=user.pk, token="b" * 43)

    session_revoke_all_for_user(user=user, reason=Session.RevokedReason.ADMIN)

    event = _only(user.personal_tenant, SessionAction.REVOKED)
    assert (event.target_label, event.after) == (user.email, {"reason": "admin", "sessions": 2})


# --- Same transaction, actor IP -----------------------------------------------------


def test_a_refused_action_leaves_no_event(acme: Any, owner: Any) -> None:
    owner_membership = acme.memberships.get(user=owner)
    member_role = Role.objects.get(tenant=acme, key="member")

    with pytest.raises(LastOwnerError):
        services.membership_change_role(
            tenant=acme,
            membership=owner_membership,
            role=member_role,
            acting_user=owner,
        )

    assert _actions(acme) == [A.TENANT_CREATED]  # the org's first event, nothing since


def test_the_event_rolls_back_with_the_change(acme: Any, owner: Any) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        services.tenant_rename(tenant=acme, name="Rolled back", acting_user=owner)
        raise Boom

    assert _actions(acme) == [A.TENANT_CREATED]  # the org's first event, nothing since


def test_views_record_the_client_ip(owner_client: Any, acme: Any) -> None:
    owner_client.post(
        f"/t/{acme.slug}/settings/rename/", {"name": "Acme Two"}, REMOTE_ADDR="198.51.100.7"
    )

    event = _only(acme, A.TENANT_RENAMED)
    assert event.actor_ip == "198.51.100.7"


def test_unknown_actions_are_refused(acme: Any) -> None:
    with pytest.raises(ValueError, match="Unknown audit action"):
        audit_record(tenant=acme, action="made.up", acting_user=None, target=acme)


# --- Immutable ----------------------------------------------------------------------


def _event(acme: Any) -> AuditEvent:
    return audit_record(tenant=acme, action=A.TENANT_RENAMED, acting_user=None, target=acme)


def test_saved_events_cannot_be_changed_or_deleted_through_the_orm(acme: Any) -> None:
    event = _event(acme)
    event.target_label = "forged"

    with pytest.raises(ValidationError, match="immutable"):
        event.save()
    with pytest.raises(ValidationError, match="immutable"):
        event.delete()
    with pytest.raises(ValidationError, match="immutable"):
        AuditEvent.objects.filter(pk=event.pk).update(target_label="forged")
    with pytest.raises(ValidationError, match="immutable"):
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_the_database_refuses_updates(acme: Any) -> None:
    event = _event(acme)

    with (
        pytest.raises(IntegrityError, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE tenants_auditevent SET target_label = 'forged' WHERE id = %s", [event.pk]
        )

    assert AuditEvent.objects.get(pk=event.pk).target_label == acme.name


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite guards UPDATE only")
def test_postgresql_refuses_deletes(acme: Any) -> None:
    event = _event(acme)

    with (
        pytest.raises(IntegrityError, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM tenants_auditevent WHERE id = %s", [event.pk])

    assert AuditEvent.objects.filter(pk=event.pk).exists()


# --- The page -----------------------------------------------------------------------


def test_owners_and_admins_see_the_log(
    client: Any, acme: Any, owner: Any, admin_of_acme: Any
) -> None:
    services.tenant_rename(tenant=acme, name="Acme Two", acting_user=owner)

    for person in (owner, admin_of_acme):
        client.force_login(person)
        response = client.get(f"/t/{acme.slug}/audit/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "Workspace renamed" in html and owner.email in html
        assert "Acme Two" in html


def test_members_do_not(client: Any, acme: Any, member_of_acme: Any) -> None:
    client.force_login(member_of_acme)

    assert client.get(f"/t/{acme.slug}/audit/").status_code == 403
    assert "Audit log" not in client.get(f"/t/{acme.slug}/").content.decode()


def test_existing_owner_and_admin_roles_hold_audit_view(acme: Any) -> None:
    roles = {r.key: r.permissions for r in Role.objects.for_tenant(acme).exclude(key="")}

    assert "audit.view" in roles["owner"] and "audit.view" in roles["admin"]
    assert "audit.view" not in roles["member"] and "audit.view" not in roles["billing_admin"]


def test_filter_by_action_and_htmx_partial(owner_client: Any, acme: Any, owner: Any) -> None:
    services.tenant_rename(tenant=acme, name="Acme Two", acting_user=owner)
    services.role_create(tenant=acme, name="Editors", permissions=[], acting_user=owner)

    response = owner_client.get(
        f"/t/{acme.slug}/audit/", {"action": "role.created"}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="audit-events"')  # the partial only
    assert 'data-said="1 event"' in html  # what the page's status says of it
    assert "Editors" in html and "Acme Two" not in html


def test_an_unknown_filter_shows_everything_and_says_so(owner_client: Any, acme: Any) -> None:
    response = owner_client.get(f"/t/{acme.slug}/audit/", {"action": "nope"})

    assert response.status_code == 200
    assert "That action filter is not known" in response.content.decode()


def test_a_filter_with_no_events_names_the_action_as_its_menu_does(
    owner_client: Any, acme: Any
) -> None:
    response = owner_client.get(f"/t/{acme.slug}/audit/", {"action": "session.revoked"})

    html = response.content.decode()
    label = dict(audit_action_choices())["session.revoked"]
    assert f"No “{label}” events yet." in html
    assert "No “session.revoked”" not in html


def test_pages_of_fifty_with_a_constant_query_count(
    owner_client: Any, acme: Any, django_assert_max_num_queries: Any
) -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(tenant=acme, action=A.TENANT_RENAMED, target_label=f"n{i}") for i in range(60)
    )

    with django_assert_max_num_queries(12):
        first = owner_client.get(f"/t/{acme.slug}/audit/")
    second = owner_client.get(f"/t/{acme.slug}/audit/", {"page": 2})

    assert first.content.decode().count("<tr>") == 50 + 1  # header row
    assert "Page 2 of 2" in second.content.decode()


def test_another_tenants_events_never_show(owner_client: Any, acme: Any) -> None:
    other = OrgFactory(name="Other")
    services.tenant_rename(tenant=other, name="Secret rename", acting_user=None)

    html = owner_client.get(f"/t/{acme.slug}/audit/").content.decode()

    assert "Secret rename" not in html


# --- The page: who acted ------------------------------------------------------------


def _page(client: Any, tenant: Any, **query: Any) -> str:
    response = client.get(f"/t/{tenant.slug}/audit/", query)
    assert response.status_code == 200
    return response.content.decode()


def _events_by_whom(acme: Any, owner: Any, admin: Any) -> None:
    """One event each: the owner, an admin, the system, an API key alone, the owner
    through an API key."""
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(tenant=acme, action=A.TENANT_RENAMED, actor=owner, target_label="by-owner"),
            AuditEvent(tenant=acme, action=A.ROLE_CREATED, actor=admin, target_label="by-admin"),
            AuditEvent(tenant=acme, action=A.TENANT_RENAMED, target_label="by-system"),
            AuditEvent(
                tenant=acme,
                action=A.TENANT_RENAMED,
                actor_label="API key Zapier",
                target_label="by-key",
            ),
            AuditEvent(
                tenant=acme,
                action=A.ROLE_CREATED,
                actor=owner,
                actor_label="API key HR",
                target_label="owner-via-key",
            ),
        ]
    )


def _shown(html: str) -> set[str]:
    return {label for label in ("by-owner", "by-admin", "by-system", "by-key") if label in html}


def test_filter_by_a_member_shows_only_their_events(
    owner_client: Any, acme: Any, owner: Any, admin_of_acme: Any
) -> None:
    _events_by_whom(acme, owner, admin_of_acme)

    html = _page(owner_client, acme, actor=admin_of_acme.pk)

    assert _shown(html) == {"by-admin"}
    assert "owner-via-key" not in html
    assert f'<option value="{admin_of_acme.pk}" dir="auto" selected>' in html


def test_a_members_events_include_what_they_did_through_an_api_key(
    owner_client: Any, acme: Any, owner: Any, admin_of_acme: Any
) -> None:
    _events_by_whom(acme, owner, admin_of_acme)

    html = _page(owner_client, acme, actor=owner.pk)

    assert _shown(html) == {"by-owner"}
    assert "owner-via-key" in html


def test_filter_by_system_shows_what_no_person_and_no_api_key_did(
    owner_client: Any, acme: Any, owner: Any, admin_of_acme: Any
) -> None:
    _events_by_whom(acme, owner, admin_of_acme)

    html = _page(owner_client, acme, actor="system")

    assert _shown(html) == {"by-system"}
    assert "owner-via-key" not in html
    assert '<option value="system" selected>' in html


def test_the_person_and_action_filters_combine(
    owner_client: Any, acme: Any, owner: Any, admin_of_acme: Any
) -> None:
    _events_by_whom(acme, owner, admin_of_acme)

    html = _page(owner_client, acme, actor=owner.pk, action=A.ROLE_CREATED)

    assert _shown(html) == set()
    assert "owner-via-key" in html


def test_a_person_with_no_matching_events_says_the_filters_match_nothing(
    owner_client: Any, acme: Any, owner: Any, admin_of_acme: Any
) -> None:
    _events_by_whom(acme, owner, admin_of_acme)

    html = _page(owner_client, acme, actor=admin_of_acme.pk, action=A.TENANT_RENAMED)
    unfiltered = _page(owner_client, acme)

    assert "No events match the chosen filters." in html
    assert "Nothing has happened here yet" not in html
    # A way out of the empty page (the walk found none), only where a filter is set.
    assert f'href="/t/{acme.slug}/audit/" data-testid="audit-clear-filters"' in html
    assert 'data-testid="audit-clear-filters"' not in unfiltered


@pytest.mark.parametrize("actor", ["999999", "nope", "-1", " 1", "9" * 23, "²"])
def test_an_unknown_person_shows_everyone_and_says_so(
    owner_client: Any, acme: Any, owner: Any, admin_of_acme: Any, actor: str
) -> None:
    _events_by_whom(acme, owner, admin_of_acme)

    html = _page(owner_client, acme, actor=actor)

    assert _shown(html) == {"by-owner", "by-admin", "by-system", "by-key"}
    assert "That person is not known here; showing everyone" in html
    assert '<option value="" selected>' not in html  # "Everyone" is the default, unmarked
    assert " selected>" not in html.split('id="audit-actor"')[1].split("</select>")[0]


def test_another_organisations_person_does_not_filter_this_log(
    owner_client: Any, acme: Any, owner: Any, admin_of_acme: Any
) -> None:
    """Their id shows this log whole (and says so); their own events stay in their org."""
    _events_by_whom(acme, owner, admin_of_acme)
    other = OrgFactory(name="Other")
    stranger = other.memberships.get().user
    AuditEvent.objects.create(
        tenant=other, action=A.TENANT_RENAMED, actor=stranger, target_label="by-stranger"
    )

    html = _page(owner_client, acme, actor=stranger.pk)

    assert _shown(html) == {"by-owner", "by-admin", "by-system", "by-key"}
    assert "by-stranger" not in html
    assert "That person is not known here" in html
    assert stranger.email not in html


def test_the_who_menu_offers_everyone_the_system_and_the_members_by_name(
    owner_client: Any, acme: Any, owner: Any
) -> None:
    add_member(acme, UserFactory(name="Zoe Zed", email="zoe@example.com"))
    add_member(acme, UserFactory(name="Adam Ant", email="adam@example.com"))
    outsider = UserFactory(name="Olga Outsider", email="olga@example.com")

    menu = _page(owner_client, acme).split('id="audit-actor"')[1].split("</select>")[0]

    assert menu.index("Everyone") < menu.index("System") < menu.index("Adam Ant (adam@example.com)")
    assert menu.index("Adam Ant") < menu.index(owner.email) < menu.index("Zoe Zed")
    assert outsider.email not in menu


def test_paging_keeps_the_person_and_the_action(owner_client: Any, acme: Any, owner: Any) -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(tenant=acme, action=A.TENANT_RENAMED, actor=owner, target_label=f"n{i}")
        for i in range(55)
    )

    first = _page(owner_client, acme, actor=owner.pk, action=A.TENANT_RENAMED)
    second = _page(owner_client, acme, actor=owner.pk, action=A.TENANT_RENAMED, page=2)

    older = f"?action=tenant.renamed&amp;actor={owner.pk}&amp;page=2"
    newer = f"?action=tenant.renamed&amp;actor={owner.pk}&amp;page=1"
    assert f'href="{older}" hx-get="{older}"' in first
    assert f'href="{newer}" hx-get="{newer}"' in second


# --- The page: which days -------------------------------------------------------------


def _renames_at(acme: Any, owner: Any, *moments: datetime) -> None:
    """One rename at each moment, named by its UTC time ("at 2026-03-09 22:30")."""
    for moment in moments:
        with time_machine.travel(moment, tick=False):
            AuditEvent.objects.create(
                tenant=acme,
                action=A.TENANT_RENAMED,
                actor=owner,
                target_label=f"at {moment:%Y-%m-%d %H:%M}",
            )


def _labels(html: str) -> list[str]:
    return re.findall(r"at \d{4}-\d\d-\d\d \d\d:\d\d", html)


def test_from_and_to_are_whole_days_of_the_readers_time_zone(
    owner_client: Any, acme: Any, owner: Any
) -> None:
    """In Berlin (UTC+1 in March) 9 March runs from 8 March 23:00 UTC to 9 March 23:00:
    an event at 22:30 UTC on the 9th is on the 9th, one at 23:30 is on the 10th."""
    user_locale_set(user=owner, language="en", time_zone="Europe/Berlin", acting_user=owner)
    _renames_at(
        acme,
        owner,
        datetime(2026, 3, 8, 22, 59, tzinfo=UTC),  # 8 March, 23:59 in Berlin
        datetime(2026, 3, 8, 23, 0, tzinfo=UTC),  # 9 March, 00:00
        datetime(2026, 3, 9, 22, 30, tzinfo=UTC),  # 9 March, 23:30
        datetime(2026, 3, 9, 23, 30, tzinfo=UTC),  # 10 March, 00:30
    )

    one_day = _page(owner_client, acme, since="2026-03-09", until="2026-03-09")
    from_the_9th = _page(owner_client, acme, since="2026-03-09")
    to_the_8th = _page(owner_client, acme, until="2026-03-08")

    assert _labels(one_day) == ["at 2026-03-09 22:30", "at 2026-03-08 23:00"]
    assert _labels(from_the_9th) == [
        "at 2026-03-09 23:30",
        "at 2026-03-09 22:30",
        "at 2026-03-08 23:00",
    ]
    assert _labels(to_the_8th) == ["at 2026-03-08 22:59"]
    assert 'id="audit-since" name="since" type="date" class="input" value="2026-03-09"' in one_day
    assert 'id="audit-until" name="until" type="date" class="input" value="2026-03-09"' in one_day


def test_days_combine_with_the_person_and_the_action_and_paging_keeps_them(
    owner_client: Any, acme: Any, owner: Any
) -> None:
    with time_machine.travel(datetime(2026, 3, 9, 12, 0, tzinfo=UTC), tick=False):
        AuditEvent.objects.bulk_create(
            AuditEvent(tenant=acme, action=A.TENANT_RENAMED, actor=owner, target_label=f"n{i}")
            for i in range(55)
        )
        AuditEvent.objects.create(tenant=acme, action=A.ROLE_CREATED, target_label="by-system")
    _renames_at(acme, owner, datetime(2026, 3, 10, 12, 0, tzinfo=UTC))
    query = {"actor": owner.pk, "action": A.TENANT_RENAMED, "since": "2026-03-09"}

    first = _page(owner_client, acme, **query, until="2026-03-09")
    nothing = _page(owner_client, acme, since="2026-03-11", until="2026-03-11")

    assert "by-system" not in first and "at 2026-03-10" not in first
    assert "Page 1 of 2 · 55 events" in first
    kept = "since=2026-03-09&amp;until=2026-03-09"
    assert f'href="?action=tenant.renamed&amp;actor={owner.pk}&amp;{kept}&amp;page=2"' in first
    assert "No events match the chosen filters." in nothing
    assert "Nothing has happened here yet" not in nothing


@pytest.mark.parametrize(
    ("query", "said", "shown"),
    [
        (
            {"since": "2026-02-30", "until": "2026-03-02"},
            "“From” is not a date; showing events of every date.",
            ("", "2026-03-02"),
        ),
        ({"until": "yesterday"}, "“To” is not a date; showing events of every date.", ("", "")),
        (
            {"since": "2026-03-10", "until": "2026-03-09"},
            "“From” is after “To”; showing events of every date.",
            ("2026-03-10", "2026-03-09"),  # both kept, to be put right
        ),
    ],
    ids=["no-such-day", "words", "backwards"],
)
def test_a_day_that_cannot_be_used_shows_every_date_and_says_why(
    owner_client: Any,
    acme: Any,
    owner: Any,
    query: dict[str, str],
    said: str,
    shown: tuple[str, str],
) -> None:
    _renames_at(acme, owner, datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 20, tzinfo=UTC))

    html = _page(owner_client, acme, **query)

    assert html.count(f">{said}</p>") == 1  # shown once
    assert re.search(rf'data-said="{re.escape(said)} \d+ events"', html)  # and by the status
    assert _labels(html) == ["at 2026-03-20 00:00", "at 2026-03-01 00:00"]
    for name, value in zip(("since", "until"), shown, strict=True):
        assert f'value="{value}"' in html.split(f'id="audit-{name}"')[1].split(">")[0]


@pytest.mark.parametrize(
    "query",
    [
        {"since": "0001-01-01"},
        {"until": "9999-12-31"},
        {"since": "0001-01-01", "until": "9999-12-31"},
    ],
)
def test_the_first_and_last_days_a_date_holds_cut_nothing_off(
    owner_client: Any, acme: Any, owner: Any, query: dict[str, str]
) -> None:
    """Midnight of 1 January year 1 in Tokyo is before any time a database holds, and the
    day after 31 December 9999 does not exist: both were a 500."""
    user_locale_set(user=owner, language="en", time_zone="Asia/Tokyo", acting_user=owner)
    _renames_at(acme, owner, datetime(2026, 3, 1, tzinfo=UTC))

    html = _page(owner_client, acme, **query)

    assert _labels(html) == ["at 2026-03-01 00:00"]
    assert "is not a date" not in html


def test_the_who_menu_costs_one_query_however_many_members(
    owner_client: Any, acme: Any, owner: Any
) -> None:
    AuditEvent.objects.create(tenant=acme, action=A.TENANT_RENAMED, actor=owner)
    _page(owner_client, acme)  # the session and the plan, read once and cached

    with CaptureQueriesContext(connection) as few:
        before = _page(owner_client, acme)
    for _ in range(10):
        add_member(acme)
    with CaptureQueriesContext(connection) as many:
        after = _page(owner_client, acme)

    assert after.count("</option>") - before.count("</option>") == 10
    assert len(many) == len(few)


def test_a_large_organisation_s_menu_lists_the_first_hundred_and_a_link_still_filters(
    owner_client: Any, acme: Any, owner: Any
) -> None:
    """2,000 members made 2,000 options: ~85 ms of CPU each time the page was opened."""
    owner.name = "Aaron Owner"
    owner.save(update_fields=["name"])
    for i in range(WHO_MENU_LIMIT):
        add_member(acme, UserFactory(name=f"Member {i:03d}"))
    last = add_member(acme, UserFactory(name="Zelda Last", email="zelda@example.com")).user
    AuditEvent.objects.create(tenant=acme, action=A.TENANT_RENAMED, actor=last, target_label="z")
    AuditEvent.objects.create(tenant=acme, action=A.TENANT_RENAMED, actor=owner, target_label="o")

    html = _page(owner_client, acme)
    menu = html.split('id="audit-actor"')[1].split("</select>")[0]
    assert menu.count("<option") == 2 + WHO_MENU_LIMIT  # Everyone, System, the first 100
    assert "zelda@example.com" not in menu
    assert "The menu lists the first 100 members by name." in html

    linked = _page(owner_client, acme, actor=last.pk)
    menu = linked.split('id="audit-actor"')[1].split("</select>")[0]
    assert f'<option value="{last.pk}" dir="auto" selected>Zelda Last (zelda@example.com)' in menu
    assert "That person is not known here" not in linked


def test_a_former_members_events_are_found_by_their_link_and_named_as_such(
    owner_client: Any, acme: Any, owner: Any
) -> None:
    """What someone did before they left is what an owner asks first; the menu lists
    current members only, and their id was "not known here"."""
    gone = add_member(acme, UserFactory(name="Gina Gone", email="gina@example.com"))
    AuditEvent.objects.create(tenant=acme, action=A.ROLE_CREATED, actor=gone.user, target_label="g")
    AuditEvent.objects.create(tenant=acme, action=A.ROLE_CREATED, actor=owner, target_label="o")
    services.membership_remove(tenant=acme, membership=gone, acting_user=owner)

    html = _page(owner_client, acme, actor=gone.user.pk)

    menu = html.split('id="audit-actor"')[1].split("</select>")[0]
    assert (
        f'<option value="{gone.user.pk}" dir="auto" selected>Gina Gone (gina@example.com) · '
        "no longer a member</option>"
    ) in menu
    assert "That person is not known here" not in html
    assert ">g</bdi>" in html and ">o</bdi>" not in html
    assert (
        "gina@example.com"
        not in _page(owner_client, acme).split('id="audit-actor"')[1].split("</select>")[0]
    )


def test_each_rows_person_links_to_their_events_keeping_the_other_filters(
    owner_client: Any, acme: Any, owner: Any, admin_of_acme: Any
) -> None:
    _events_by_whom(acme, owner, admin_of_acme)

    html = _page(owner_client, acme, action=A.ROLE_CREATED, since="2000-01-01")

    link = f'href="?action=role.created&amp;since=2000-01-01&amp;actor={admin_of_acme.pk}"'
    assert link in html
    assert _shown(_page(owner_client, acme, actor=admin_of_acme.pk)) == {"by-admin"}


# --- The page: what was done ----------------------------------------------------------


def test_the_action_menu_groups_the_actions_by_area(owner_client: Any, acme: Any) -> None:
    menu = _page(owner_client, acme).split('id="audit-action"')[1].split("</select>")[0]

    files = menu.split('<optgroup label="Files">')[1].split("</optgroup>")[0]
    assert '<option value="file.uploaded">File uploaded</option>' in files
    assert '<option value="file.deleted">File deleted</option>' in files
    assert files.count("<option") == 2
    assert menu.count("<option") == 1 + len(audit_action_choices())  # "All actions" first


def test_member_invited(acme: Any, owner: Any) -> None:
    from tenants.invitations import invitation_create

    invitation_create(
        tenant=acme,
        email="Invitee@Example.com",
        role=Role.objects.get(tenant=acme, key="admin"),
        acting_user=owner,
    )

    event = _only(acme, A.MEMBER_INVITED)
    assert (event.actor, event.target_label) == (owner, "invitee@example.com")
    assert event.after == {"role": "Admin", "teams": []}
