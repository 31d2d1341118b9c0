"""Tenancy rules, as the services enforce them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.transaction import TransactionManagementError

from billing.models import Account
from core.models import AuditEvent
from tenants import services
from tenants.exceptions import (
    AlreadyAMemberError,
    BillingContactError,
    BuiltinRoleError,
    CrossTenantError,
    EscalationError,
    LastOwnerError,
    PersonalTenantError,
    PrimaryContactError,
    RoleInUseError,
    TeamCycleError,
    TenantRuleError,
)
from tenants.models import Membership, Role, TeamMember, Tenant, TenantSlugRedirect
from tenants.services._common import lock_tenant
from tenants.signals import membership_added, membership_removed, tenant_deleted
from tests.accounts.factories import UserFactory
from tests.tenants.factories import OrgFactory, add_member, make_role, make_team
from webhooks.models import Delivery
from webhooks.services import endpoint_create

pytestmark = pytest.mark.django_db


def role(tenant: Tenant, key: str) -> Role:
    return Role.objects.get(tenant=tenant, key=key)


def membership(tenant: Tenant, user: Any) -> Membership:
    return Membership.objects.select_related("role", "tenant", "user").get(tenant=tenant, user=user)


class Recorder:
    def __init__(self, signal: Any) -> None:
        self.calls: list[dict[str, Any]] = []
        signal.connect(self, weak=False, dispatch_uid=f"test-{id(self)}")
        self.signal = signal

    def __call__(self, sender: Any, **kwargs: Any) -> None:
        self.calls.append(kwargs)

    def close(self) -> None:
        self.signal.disconnect(dispatch_uid=f"test-{id(self)}")


@pytest.fixture
def added() -> Any:
    rec = Recorder(membership_added)
    yield rec
    rec.close()


@pytest.fixture
def removed() -> Any:
    rec = Recorder(membership_removed)
    yield rec
    rec.close()


# --- Creating tenants ---------------------------------------------------------


def test_creating_an_org_makes_the_creator_owner_primary_and_billing_contact(owner: Any) -> None:
    org = services.tenant_create_org(owner=owner, name="Globex", acting_user=owner)
    m = membership(org, owner)
    assert org.kind == "org" and org.slug == "globex"
    assert m.role.key == "owner" and m.is_primary_contact and m.is_billing_contact
    assert set(Role.objects.for_tenant(org).values_list("key", flat=True)) == {
        "owner",
        "admin",
        "billing_admin",
        "member",
    }
    assert org.account.name == "Globex"


def test_an_org_can_be_paid_by_an_account_whose_billing_its_creator_manages(
    acme: Any, owner: Any
) -> None:
    second = services.tenant_create_org(
        owner=owner, name="Acme EU", account=acme.account, acting_user=owner
    )
    assert second.account == acme.account


def test_an_org_cannot_be_charged_to_someone_elses_account(acme: Any, other_user: Any) -> None:
    with pytest.raises(ValidationError, match="whose billing you manage"):
        services.tenant_create_org(
            owner=other_user, name="Sneaky", account=acme.account, acting_user=other_user
        )
    assert not Tenant.objects.filter(name="Sneaky").exists()


def test_being_a_billing_contact_does_not_let_a_member_charge_the_account(
    acme: Any, other_user: Any
) -> None:
    """Regression: the contact flag only routes billing mail; it must not hand over the
    paying account (an admin could set it on themselves and take over billing)."""
    contact = add_member(acme, other_user, role_key="admin")
    contact.is_billing_contact = True
    contact.save()

    assert services.account_choices_for(user=other_user) == [other_user.personal_tenant.account]
    with pytest.raises(ValidationError, match="whose billing you manage"):
        services.tenant_create_org(
            owner=other_user, name="Sneaky", account=acme.account, acting_user=other_user
        )


def test_members_manage_cannot_touch_members_who_hold_more(acme: Any, owner: Any) -> None:
    """A role with members.manage reaches only members whose permissions it also has."""
    lead = add_member(acme, role=make_role(acme, "Team lead", ["members.manage"]))
    admin = add_member(acme, role_key="admin")
    plain = add_member(acme)

    with pytest.raises(EscalationError):
        services.membership_change_role(
            tenant=acme, membership=admin, role=role(acme, "member"), acting_user=lead.user
        )
    with pytest.raises(EscalationError):
        services.membership_remove(tenant=acme, membership=admin, acting_user=lead.user)
    owner_membership = membership(acme, owner)
    with pytest.raises(EscalationError):
        services.membership_set_billing_contact(
            tenant=acme,
            membership=owner_membership,
            is_billing_contact=False,
            acting_user=lead.user,
        )
    with pytest.raises(EscalationError):  # would take the flag away from the owner
        services.membership_set_primary_contact(tenant=acme, membership=lead, acting_user=lead.user)
    services.membership_remove(tenant=acme, membership=plain, acting_user=lead.user)  # in reach


def test_slugs_are_unique_valid_and_never_reuse_an_old_slug(owner: Any) -> None:
    first = services.tenant_create_org(owner=owner, name="A_B", acting_user=owner)
    assert first.slug == "a-b", "underscores become hyphens"
    assert services.tenant_create_org(owner=owner, name="X", acting_user=owner).slug == (
        "x-workspace"
    ), "too-short slugs are padded"
    services.tenant_change_slug(tenant=first, slug="renamed", acting_user=owner)
    reuse = services.tenant_create_org(owner=owner, name="Renamed", acting_user=owner)
    assert reuse.slug.startswith("renamed-"), "the old slug stays reserved for its tenant"


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Straße & Söhne GmbH", "strasse-sohne-gmbh"),  # not "strae-sohne-gmbh"
        ("Łódź Software", "lodz-software"),
        ("Ærø Øst", "aero-ost"),
        ("İstanbul Yazılım", "istanbul-yazilim"),
        ("Москва Тех", "moskva-tekh"),  # not "workspace-…"
        ("Ἀθῆναι", "athinai"),
        ("شركة النور", "shrkh-lnwr"),
        ("<b>Zeta Ünïcode & Co</b> 🚀", "zeta-unicode-co"),  # not "bzeta-unicode-cob-rocket"
        ("Café ☕ Crew", "cafe-crew"),
    ],
)
def test_slugs_spell_names_of_any_script_in_ascii(owner: Any, name: str, slug: str) -> None:
    assert services.tenant_create_org(owner=owner, name=name, acting_user=owner).slug == slug


def test_creating_an_org_announces_the_owner_membership_after_commit(
    owner: Any, added: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        org = services.tenant_create_org(owner=owner, name="Initech", acting_user=owner)
    assert added.calls == []
    for callback in callbacks:
        callback()
    assert [c["tenant"] for c in added.calls] == [org]


# --- Memberships --------------------------------------------------------------


def test_membership_create_adds_a_member_and_signals_after_commit(
    acme: Any, owner: Any, added: Any, django_capture_on_commit_callbacks: Any
) -> None:
    newcomer = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        m = services.membership_create(
            tenant=acme, user=newcomer, role=role(acme, "member"), acting_user=owner
        )
    assert m.tenant == acme and m.role.key == "member"
    assert added.calls[-1]["membership"] == m


def test_a_user_is_only_added_once(acme: Any, owner: Any, member_of_acme: Any) -> None:
    with pytest.raises(AlreadyAMemberError):
        services.membership_create(
            tenant=acme, user=member_of_acme, role=role(acme, "member"), acting_user=owner
        )


def test_personal_tenants_never_get_other_members(user: Any, other_user: Any) -> None:
    personal = Tenant.objects.get(personal_owner=user)
    with pytest.raises(PersonalTenantError):
        services.membership_create(
            tenant=personal, user=other_user, role=role(personal, "member"), acting_user=user
        )


def test_a_role_from_another_tenant_is_refused(acme: Any, owner: Any) -> None:
    other = OrgFactory(owner=owner)
    with pytest.raises(CrossTenantError):
        services.membership_create(
            tenant=acme, user=UserFactory(), role=role(other, "admin"), acting_user=owner
        )


def test_admins_cannot_hand_out_more_than_they_hold(
    acme: Any, admin_of_acme: Any, member_of_acme: Any
) -> None:
    target = membership(acme, member_of_acme)
    with pytest.raises(EscalationError, match="owner"):
        services.membership_change_role(
            tenant=acme,
            membership=target,
            role=role(acme, "owner"),
            acting_user=admin_of_acme,
        )
    with pytest.raises(EscalationError, match="Manage billing"):
        services.membership_change_role(
            tenant=acme,
            membership=target,
            role=role(acme, "billing_admin"),
            acting_user=admin_of_acme,
        )
    services.membership_change_role(
        tenant=acme, membership=target, role=role(acme, "admin"), acting_user=admin_of_acme
    )
    assert membership(acme, member_of_acme).role.key == "admin"


def test_admins_cannot_demote_or_remove_an_owner(acme: Any, owner: Any, admin_of_acme: Any) -> None:
    second_owner = add_member(acme, role_key="owner")
    with pytest.raises(EscalationError):
        services.membership_change_role(
            tenant=acme,
            membership=second_owner,
            role=role(acme, "member"),
            acting_user=admin_of_acme,
        )
    with pytest.raises(EscalationError):
        services.membership_remove(tenant=acme, membership=second_owner, acting_user=admin_of_acme)


def test_a_member_made_owner_after_the_page_read_them_is_out_of_an_admins_reach(
    acme: Any, owner: Any, admin_of_acme: Any
) -> None:
    """The admin's page read Xavier as a member; the owner made him an owner a moment
    later. The rules ran on the row the page read: the admin demoted (or removed) an
    owner. They run on the member as stored once the tenant is locked."""
    xavier = add_member(acme, role_key="member")
    as_the_admin_read_him = membership(acme, xavier.user)
    services.membership_change_role(
        tenant=acme, membership=xavier, role=role(acme, "owner"), acting_user=owner
    )

    with pytest.raises(EscalationError):
        services.membership_change_role(
            tenant=acme,
            membership=as_the_admin_read_him,
            role=role(acme, "member"),
            acting_user=admin_of_acme,
        )
    with pytest.raises(EscalationError):
        services.membership_remove(
            tenant=acme, membership=as_the_admin_read_him, acting_user=admin_of_acme
        )
    assert membership(acme, xavier.user).role.key == "owner"


def test_the_owner_a_transfer_just_made_is_not_suspended_as_the_member_read_before(
    acme: Any, owner: Any
) -> None:
    """A directory read Ada as an admin; the owner handed her the organisation (and
    became an admin). Suspending the row read before left no owner who can act."""
    ada = add_member(acme, role_key="admin")
    as_the_directory_read_her = membership(acme, ada.user)
    services.ownership_transfer(tenant=acme, to_membership=ada, acting_user=owner)

    with pytest.raises(LastOwnerError):
        services.membership_suspend(
            tenant=acme, membership=as_the_directory_read_her, acting_user=None
        )
    assert membership(acme, ada.user).suspended_at is None


def test_a_member_removed_a_moment_ago_is_refused_in_words_not_removed_twice(
    acme: Any, owner: Any
) -> None:
    """Two tabs removed the same person: the second wrote a second "Member removed"
    event and announced the removal again."""
    gone = add_member(acme, role_key="member")
    second_tab = membership(acme, gone.user)
    services.membership_remove(tenant=acme, membership=gone, acting_user=owner)
    events = acme.audit_events.filter(action="member.removed").count()

    with pytest.raises(TenantRuleError, match="is no longer a member here"):
        services.membership_remove(tenant=acme, membership=second_tab, acting_user=owner)
    assert acme.audit_events.filter(action="member.removed").count() == events == 1


def test_the_last_owner_cannot_be_demoted(acme: Any, owner: Any) -> None:
    with pytest.raises(LastOwnerError):
        services.membership_change_role(
            tenant=acme,
            membership=membership(acme, owner),
            role=role(acme, "admin"),
            acting_user=owner,
        )
    assert membership(acme, owner).role.key == "owner"


def test_an_owner_can_step_down_while_another_owner_remains(acme: Any, owner: Any) -> None:
    add_member(acme, role_key="owner")
    services.membership_change_role(
        tenant=acme, membership=membership(acme, owner), role=role(acme, "admin"), acting_user=owner
    )
    assert membership(acme, owner).role.key == "admin"


def test_the_last_owner_cannot_leave_or_be_removed(acme: Any, owner: Any) -> None:
    with pytest.raises(LastOwnerError):
        services.membership_leave(tenant=acme, membership=membership(acme, owner))
    with pytest.raises(LastOwnerError):
        services.membership_remove(
            tenant=acme, membership=membership(acme, owner), acting_user=None
        )
    assert Membership.objects.filter(tenant=acme, user=owner).exists()


def test_the_primary_contact_must_hand_over_before_leaving(acme: Any, owner: Any) -> None:
    other = add_member(acme, role_key="owner")
    with pytest.raises(PrimaryContactError):
        services.membership_leave(tenant=acme, membership=membership(acme, owner))
    services.membership_set_primary_contact(tenant=acme, membership=other, acting_user=owner)
    services.membership_leave(tenant=acme, membership=membership(acme, owner))
    assert not Membership.objects.filter(tenant=acme, user=owner).exists()


def test_removing_a_member_signals_after_commit_and_drops_their_team_places(
    acme: Any,
    owner: Any,
    member_of_acme: Any,
    removed: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    m = membership(acme, member_of_acme)
    team = make_team(acme, "Ops")
    services.team_member_add(tenant=acme, team=team, membership=m, acting_user=owner)
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_remove(tenant=acme, membership=m, acting_user=owner)
    assert removed.calls == [{"signal": membership_removed, "tenant": acme, "user": member_of_acme}]
    assert not TeamMember.objects.filter(team=team).exists()


def test_members_use_leave_not_remove_for_themselves(acme: Any, admin_of_acme: Any) -> None:
    with pytest.raises(LastOwnerError, match="Leave"):
        services.membership_remove(
            tenant=acme, membership=membership(acme, admin_of_acme), acting_user=admin_of_acme
        )


def test_exactly_one_primary_contact_moves_between_members(
    acme: Any, owner: Any, member_of_acme: Any
) -> None:
    services.membership_set_primary_contact(
        tenant=acme, membership=membership(acme, member_of_acme), acting_user=owner
    )
    primaries = list(Membership.objects.for_tenant(acme).filter(is_primary_contact=True))
    assert [m.user for m in primaries] == [member_of_acme]


def test_an_org_keeps_at_least_one_billing_contact(
    acme: Any, owner: Any, member_of_acme: Any
) -> None:
    with pytest.raises(BillingContactError):
        services.membership_set_billing_contact(
            tenant=acme,
            membership=membership(acme, owner),
            is_billing_contact=False,
            acting_user=owner,
        )
    services.membership_set_billing_contact(
        tenant=acme,
        membership=membership(acme, member_of_acme),
        is_billing_contact=True,
        acting_user=owner,
    )
    services.membership_set_billing_contact(
        tenant=acme, membership=membership(acme, owner), is_billing_contact=False, acting_user=owner
    )
    assert [
        m.user for m in Membership.objects.for_tenant(acme).filter(is_billing_contact=True)
    ] == [member_of_acme]


# --- Ownership ----------------------------------------------------------------


def test_ownership_transfer_swaps_owner_and_primary_contact(
    acme: Any, owner: Any, member_of_acme: Any
) -> None:
    services.ownership_transfer(
        tenant=acme, to_membership=membership(acme, member_of_acme), acting_user=owner
    )
    new, old = membership(acme, member_of_acme), membership(acme, owner)
    assert new.role.key == "owner" and new.is_primary_contact
    assert old.role.key == "admin" and not old.is_primary_contact


def test_a_transfer_is_logged_and_sent_as_the_role_and_contact_changes_it_makes(
    acme: Any, owner: Any, member_of_acme: Any, settings: Any
) -> None:
    """As when made on the members page: "member.role_changed" for both (a webhook
    endpoint heard of neither), and the primary contact's move in the audit log."""
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    endpoint_create(
        tenant=acme,
        url="http://127.0.0.1:9/hook",
        description="",
        event_types=["member.role_changed"],
        acting_user=owner,
    )
    new = membership(acme, member_of_acme)

    services.ownership_transfer(tenant=acme, to_membership=new, acting_user=owner)

    sent = Delivery.objects.filter(tenant=acme, event_type="member.role_changed").order_by("pk")
    changed = [
        (data["user"]["email"], data["previous_role"]["name"], data["role"]["name"])
        for data in (json.loads(delivery.payload)["data"] for delivery in sent)
    ]
    assert changed == [(member_of_acme.email, "Member", "Owner"), (owner.email, "Owner", "Admin")]
    contact = AuditEvent.objects.get(tenant=acme, action="member.contact_changed")
    assert contact.actor_id == owner.pk
    assert contact.before == {"primary_contact": owner.email}
    assert contact.after == {"primary_contact": member_of_acme.email}
    assert acme.audit_events.latest("pk").action == "tenant.ownership_transferred"


def test_a_transfer_leaves_the_primary_contact_with_whoever_else_has_it(
    acme: Any, owner: Any, member_of_acme: Any, admin_of_acme: Any
) -> None:
    contact = membership(acme, admin_of_acme)
    services.membership_set_primary_contact(tenant=acme, membership=contact, acting_user=owner)

    services.ownership_transfer(
        tenant=acme, to_membership=membership(acme, member_of_acme), acting_user=owner
    )
    assert membership(acme, admin_of_acme).is_primary_contact
    assert not membership(acme, member_of_acme).is_primary_contact


def test_the_new_owner_is_told_by_email_in_their_language(
    acme: Any,
    owner: Any,
    member_of_acme: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    type(member_of_acme).objects.filter(pk=member_of_acme.pk).update(language="de")
    with django_capture_on_commit_callbacks(execute=True):
        services.ownership_transfer(
            tenant=acme, to_membership=membership(acme, member_of_acme), acting_user=owner
        )
    [notice] = mailoutbox
    assert notice.to == [member_of_acme.email]
    assert notice.subject == "Sie sind jetzt Inhaber von Acme bei Pacetrack"
    assert owner.email in notice.body and f"/t/{acme.slug}/" in notice.body


def test_only_an_owner_can_transfer_ownership(
    acme: Any, admin_of_acme: Any, member_of_acme: Any
) -> None:
    with pytest.raises(LastOwnerError):
        services.ownership_transfer(
            tenant=acme, to_membership=membership(acme, member_of_acme), acting_user=admin_of_acme
        )


# --- Tenant settings ----------------------------------------------------------


def test_slug_change_leaves_a_redirect_and_the_tenant_can_take_its_old_slug_back(
    acme: Any, owner: Any
) -> None:
    services.tenant_change_slug(tenant=acme, slug="acme-inc", acting_user=owner)
    assert TenantSlugRedirect.objects.get(slug="acme").tenant == acme
    services.tenant_change_slug(tenant=acme, slug="acme", acting_user=owner)
    assert list(TenantSlugRedirect.objects.for_tenant(acme).values_list("slug", flat=True)) == [
        "acme-inc"
    ]


def test_slug_change_refuses_slugs_in_use_and_invalid_slugs(acme: Any, owner: Any) -> None:
    other = OrgFactory(owner=owner, name="Other")
    with pytest.raises(ValidationError, match="taken"):
        services.tenant_change_slug(tenant=acme, slug=other.slug, acting_user=owner)
    for bad in ("ab", "Has Spaces", "-edge", "double--hyphen"):
        with pytest.raises(ValidationError, match="Use 3-60 lower-case letters"):
            services.tenant_change_slug(
                tenant=Tenant.objects.get(pk=acme.pk), slug=bad, acting_user=owner
            )


def test_deleting_an_org_is_soft_and_announced(
    acme: Any, owner: Any, django_capture_on_commit_callbacks: Any
) -> None:
    rec = Recorder(tenant_deleted)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.tenant_delete(tenant=acme, acting_user=owner)
    finally:
        rec.close()
    acme.refresh_from_db()
    assert acme.deleted_at is not None
    assert Membership.objects.filter(tenant=acme).exists(), "rows stay for billing and audit"
    assert acme not in Tenant.objects.active()
    assert rec.calls[0]["tenant"] == acme


def test_personal_tenants_cannot_be_deleted(user: Any) -> None:
    with pytest.raises(PersonalTenantError):
        services.tenant_delete(tenant=Tenant.objects.get(personal_owner=user), acting_user=user)


# --- Roles ----------------------------------------------------------------------


def test_custom_roles_are_created_renamed_and_deleted(acme: Any, owner: Any) -> None:
    r = services.role_create(
        tenant=acme, name="Editor", permissions=["teams.manage", "files.manage"], acting_user=owner
    )
    assert r.permissions == ["teams.manage", "files.manage"]
    services.role_update(
        tenant=acme,
        role=r,
        name="Content editor",
        permissions=["files.manage"],
        acting_user=owner,
    )
    assert Role.objects.get(pk=r.pk).name == "Content editor"
    services.role_delete(tenant=acme, role=r, acting_user=owner)
    assert not Role.objects.filter(pk=r.pk).exists()


def test_role_names_are_unique_per_tenant_and_permissions_must_exist(acme: Any, owner: Any) -> None:
    with pytest.raises(ValidationError, match="already exists"):
        services.role_create(tenant=acme, name="admin", permissions=[], acting_user=owner)
    with pytest.raises(ValidationError, match="Unknown permission"):
        services.role_create(
            tenant=acme, name="Weird", permissions=["root.everything"], acting_user=owner
        )


def test_a_role_in_use_cannot_be_deleted(acme: Any, owner: Any, member_of_acme: Any) -> None:
    r = services.role_create(tenant=acme, name="Helper", permissions=[], acting_user=owner)
    services.membership_change_role(
        tenant=acme, membership=membership(acme, member_of_acme), role=r, acting_user=owner
    )
    with pytest.raises(RoleInUseError, match="1 member"):
        services.role_delete(tenant=acme, role=r, acting_user=owner)


def test_a_role_deleted_after_the_form_was_drawn_is_refused_in_words(
    acme: Any, owner: Any, member_of_acme: Any
) -> None:
    """The review found an invitation or role change naming a role deleted meanwhile
    failing on its foreign key ("invited a moment ago", or a 500). `role_delete` takes
    the tenant's lock as both do, so under it the role is either there or gone."""
    from tenants.exceptions import TenantRuleError
    from tenants.invitations import invitation_create
    from tenants.models import Invitation

    stale = services.role_create(tenant=acme, name="Helper", permissions=[], acting_user=owner)
    other_tab = Role.objects.get(pk=stale.pk)
    services.role_delete(tenant=acme, role=other_tab, acting_user=owner)

    with pytest.raises(TenantRuleError, match="“Helper” was deleted a moment ago"):
        invitation_create(tenant=acme, email="new@example.com", role=stale, acting_user=owner)
    with pytest.raises(TenantRuleError, match="“Helper” was deleted a moment ago"):
        services.membership_change_role(
            tenant=acme, membership=membership(acme, member_of_acme), role=stale, acting_user=owner
        )
    assert not Invitation.objects.filter(email="new@example.com").exists()
    assert membership(acme, member_of_acme).role.key == "member"


def test_built_in_roles_are_fixed(acme: Any, owner: Any) -> None:
    with pytest.raises(BuiltinRoleError):
        services.role_delete(tenant=acme, role=role(acme, "member"), acting_user=owner)
    with pytest.raises(BuiltinRoleError):
        services.role_update(
            tenant=acme, role=role(acme, "admin"), name="Boss", permissions=[], acting_user=owner
        )


def test_a_custom_role_cannot_grant_more_than_its_creator_holds(
    acme: Any, admin_of_acme: Any
) -> None:
    with pytest.raises(EscalationError):
        services.role_create(
            tenant=acme, name="Payer", permissions=["billing.manage"], acting_user=admin_of_acme
        )


def test_personal_tenants_have_no_custom_roles(user: Any) -> None:
    with pytest.raises(PersonalTenantError):
        services.role_create(
            tenant=Tenant.objects.get(personal_owner=user),
            name="X",
            permissions=[],
            acting_user=user,
        )


# --- Teams ----------------------------------------------------------------------


def test_a_team_or_role_deleted_from_two_tabs_is_recorded_once_and_never_a_500(
    acme: Any, owner: Any
) -> None:
    """The second tab's team delete wrote a second event from the row it had read; its
    role delete raised DoesNotExist, a 500."""
    from core.models import AuditEvent
    from tenants.models import Team

    team = make_team(acme, "Platform")
    custom = make_role(acme, "Auditor", [])
    stale_team, stale_role = Team.objects.get(pk=team.pk), Role.objects.get(pk=custom.pk)
    services.team_delete(tenant=acme, team=team, acting_user=owner)
    services.role_delete(tenant=acme, role=custom, acting_user=owner)

    services.team_delete(tenant=acme, team=stale_team, acting_user=owner)
    services.role_delete(tenant=acme, role=stale_role, acting_user=owner)

    assert AuditEvent.objects.filter(tenant=acme, action="team.deleted").count() == 1
    assert AuditEvent.objects.filter(tenant=acme, action="role.deleted").count() == 1


def test_teams_nest_but_never_in_a_cycle(acme: Any, owner: Any) -> None:
    root = make_team(acme, "Engineering")
    child = make_team(acme, "Backend", parent=root)
    grandchild = make_team(acme, "Databases", parent=child)
    with pytest.raises(TeamCycleError):
        services.team_update(
            tenant=acme, team=root, name=root.name, parent=grandchild, acting_user=owner
        )
    with pytest.raises(TeamCycleError):
        services.team_update(tenant=acme, team=root, name=root.name, parent=root, acting_user=owner)


def test_deleting_a_team_moves_its_sub_teams_up(acme: Any, owner: Any) -> None:
    root = make_team(acme, "Engineering")
    child = make_team(acme, "Backend", parent=root)
    leaf = make_team(acme, "Databases", parent=child)
    services.team_delete(tenant=acme, team=child, acting_user=owner)
    leaf.refresh_from_db()
    assert leaf.parent == root


def test_team_members_come_from_the_tenants_memberships(acme: Any, owner: Any) -> None:
    other_org = OrgFactory(owner=owner)
    team = make_team(acme, "Ops")
    with pytest.raises(CrossTenantError):
        services.team_member_add(
            tenant=acme,
            team=team,
            membership=membership(other_org, owner),
            acting_user=owner,
        )
    services.team_member_add(
        tenant=acme, team=team, membership=membership(acme, owner), acting_user=owner
    )
    with pytest.raises(AlreadyAMemberError):
        services.team_member_add(
            tenant=acme, team=team, membership=membership(acme, owner), acting_user=owner
        )


def test_a_parent_team_from_another_tenant_is_refused(acme: Any, owner: Any) -> None:
    foreign = make_team(OrgFactory(owner=owner), "Foreign")
    with pytest.raises(CrossTenantError):
        services.team_create(tenant=acme, name="Child", parent=foreign, acting_user=owner)


def test_team_names_are_unique_per_tenant(acme: Any, owner: Any) -> None:
    make_team(acme, "Ops")
    with pytest.raises(ValidationError, match="already exists"):
        services.team_create(tenant=acme, name="ops", acting_user=owner)


def test_new_billing_accounts_are_created_per_org_unless_shared(owner: Any) -> None:
    before = Account.objects.count()
    services.tenant_create_org(owner=owner, name="One", acting_user=owner)
    assert Account.objects.count() == before + 1


@pytest.mark.django_db(transaction=True)
def test_the_tenant_lock_is_taken_inside_the_services_transaction(owner: Any) -> None:
    """A service that locks the tenant without @transaction.atomic would hold no lock on
    PostgreSQL (an error) and nothing at all on SQLite: refused on every database."""
    org = OrgFactory(owner=owner, name="Acme")
    with pytest.raises(TransactionManagementError):
        lock_tenant(org)
    with transaction.atomic():
        lock_tenant(org)
