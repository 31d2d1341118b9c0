"""Organisation SSO over OpenID Connect: email-first routing, just-in-time
provisioning, the domain rule, required SSO with the owners' break-glass, auto-join,
and the connection page's real "Test connection" round trip."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from core.models import AuditEvent
from sso.models import Connection, OrgIdentity, SocialIdentity
from tenants.models import Membership, Role
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.sso.flows import leave, local, round_trip, signed_in_user_id
from tests.sso.idp import LocalIdP

pytestmark = pytest.mark.django_db


def continue_with_sso(client: Any, idp: LocalIdP, email: str, next_url: str = "") -> Any:
    data = {"email": email, **({"next": next_url} if next_url else {})}
    return round_trip(client, idp, reverse("sso:start"), data)


def password_sign_in(client: Any, email: str) -> Any:
    data = {"email": email, "password": DEFAULT_PASSWORD}
    return client.post(reverse("accounts:sign-in"), data)


def test_a_verified_domain_address_goes_to_the_org_idp_and_is_provisioned(
    client: Any, idp: LocalIdP, acme: Any, acme_sso: Connection
) -> None:
    idp.user = {"sub": "okta-1", "email": "new.hire@example.com", "name": "New Hire"}

    response = continue_with_sso(client, idp, "New.Hire@example.com")

    assert response.status_code == 302 and response["Location"] == f"/t/{acme.slug}/"
    user = User.objects.get(email="new.hire@example.com")
    assert user.is_email_verified and user.name == "New Hire" and not user.has_usable_password()
    membership = Membership.objects.get(tenant=acme, user=user)
    assert membership.role.key == "member"
    assert OrgIdentity.objects.get(user=user).subject == "okta-1"
    assert signed_in_user_id(client) == user.pk
    actions = set(AuditEvent.objects.filter(tenant=acme).values_list("action", flat=True))
    assert {"sso.provisioned", "sso.signed_in"} <= actions


def test_later_sign_ins_update_the_name_and_find_the_same_person(
    client: Any, idp: LocalIdP, acme_sso: Connection
) -> None:
    idp.user = {"sub": "okta-1", "email": "pat@example.com", "name": "Pat"}
    continue_with_sso(client, idp, "pat@example.com")
    client.post(reverse("accounts:sign-out"))
    idp.user = {**idp.user, "name": "Patricia Example"}

    continue_with_sso(client, idp, "pat@example.com")

    assert User.objects.get(email="pat@example.com").name == "Patricia Example"
    assert OrgIdentity.objects.count() == 1


def test_an_address_without_sso_is_told_so_and_stays_on_the_page(
    client: Any, idp: LocalIdP, acme_sso: Connection
) -> None:
    response = client.post(reverse("sso:start"), {"email": "someone@elsewhere.example"})

    assert response.status_code == 400
    assert "Single sign-on is not set up for elsewhere.example" in response.content.decode()


def test_the_idp_cannot_sign_in_an_address_on_a_domain_the_org_did_not_verify(
    client: Any, idp: LocalIdP, acme_sso: Connection, other_user: Any
) -> None:
    """A compromised or careless IdP asserting someone else's address."""
    victim = UserFactory(email="ceo@bank.example")
    idp.user = {"sub": "evil", "email": "ceo@bank.example", "email_verified": True}

    response = continue_with_sso(client, idp, "anyone@example.com")

    assert response.status_code == 400
    assert "not on a domain verified by" in response.content.decode()
    assert signed_in_user_id(client) is None
    assert not OrgIdentity.objects.filter(user=victim).exists()


def test_an_existing_account_on_the_domain_is_signed_in_and_joins(
    client: Any, idp: LocalIdP, acme: Any, acme_sso: Connection
) -> None:
    person = UserFactory(email="existing@example.com", name="Existing Person")
    idp.user = {"sub": "okta-9", "email": "existing@example.com", "name": "Existing Person"}

    continue_with_sso(client, idp, "existing@example.com")

    assert signed_in_user_id(client) == person.pk
    assert Membership.objects.filter(tenant=acme, user=person).exists()


def test_a_bad_id_token_from_the_org_idp_is_refused(
    client: Any, idp: LocalIdP, acme_sso: Connection
) -> None:
    idp.sabotage = "audience"

    response = continue_with_sso(client, idp, "pat@example.com")

    assert response.status_code == 400
    assert not User.objects.filter(email="pat@example.com").exists()


def test_a_state_mismatch_on_the_org_callback_is_refused(
    client: Any, idp: LocalIdP, acme_sso: Connection
) -> None:
    back = idp.consent(leave(client, reverse("sso:start"), {"email": "pat@example.com"}))

    response = client.get(local(back).replace("state=", "state=x"))

    assert response.status_code == 400
    assert not User.objects.filter(email="pat@example.com").exists()


def _require_sso(connection: Connection) -> None:
    connection.require_sso = True
    connection.save()


def test_with_sso_required_a_member_password_sign_in_is_refused(
    client: Any, acme_sso: Connection, member_of_acme: Any
) -> None:
    _require_sso(acme_sso)

    response = password_sign_in(client, member_of_acme.email)

    assert response.status_code == 200
    assert "signs its members in with single sign-on" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_with_sso_required_a_staff_members_password_is_refused_at_the_admin_login_too(
    client: Any, acme_sso: Connection, member_of_acme: Any
) -> None:
    """/admin/login/ never asked the organisation: a staff account on its domain (one
    the identity provider had already removed, say) got a full session with a password."""
    _require_sso(acme_sso)
    User.objects.filter(pk=member_of_acme.pk).update(is_staff=True)

    response = client.post(
        "/admin/login/", {"username": member_of_acme.email, "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 200
    assert "signs its members in with single sign-on" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_with_sso_required_an_owner_keeps_a_break_glass_password_sign_in(
    client: Any, acme: Any, acme_sso: Connection, owner: Any
) -> None:
    _require_sso(acme_sso)

    response = password_sign_in(client, owner.email)

    assert response.status_code == 302
    assert signed_in_user_id(client) == owner.pk
    event = AuditEvent.objects.get(tenant=acme, action="sso.break_glass")
    assert event.actor_id == owner.pk


def test_with_sso_required_a_member_social_sign_in_is_refused(
    client: Any, social: LocalIdP, acme_sso: Connection, member_of_acme: Any
) -> None:
    _require_sso(acme_sso)
    SocialIdentity.objects.create(user=member_of_acme, provider="google", subject="g-member")
    social.user = {"sub": "g-member", "email": member_of_acme.email, "email_verified": True}

    response = round_trip(client, social, reverse("sso:social-start", args=["google"]))

    assert response.status_code == 403
    assert signed_in_user_id(client) is None


def test_required_sso_leaves_people_outside_the_org_alone(
    client: Any, acme_sso: Connection
) -> None:
    _require_sso(acme_sso)
    stranger = UserFactory(email="stranger@example.com")

    password_sign_in(client, stranger.email)

    assert signed_in_user_id(client) == stranger.pk


def test_auto_join_adds_a_verified_domain_address_at_sign_in(
    client: Any, acme: Any, acme_sso: Connection
) -> None:
    acme_sso.auto_join = True
    acme_sso.save()
    person = UserFactory(email="colleague@example.com")
    unverified = UserFactory(email="unverified@example.com", unverified=True)

    password_sign_in(client, person.email)
    Client().post(
        reverse("accounts:sign-in"), {"email": unverified.email, "password": DEFAULT_PASSWORD}
    )

    assert Membership.objects.get(tenant=acme, user=person).role.key == "member"
    assert not Membership.objects.filter(tenant=acme, user=unverified).exists()
    assert AuditEvent.objects.filter(tenant=acme, action="sso.auto_joined").count() == 1
    # The connection's rule let them in, as the event after it says; nobody invited them.
    joined = AuditEvent.objects.get(tenant=acme, action="member.joined", target_label=person.email)
    assert (joined.actor, joined.after) == (None, {"role": "Member"})


def test_without_auto_join_nobody_joins_by_signing_in(
    client: Any, acme: Any, acme_sso: Connection
) -> None:
    person = UserFactory(email="colleague@example.com")

    password_sign_in(client, person.email)

    assert not Membership.objects.filter(tenant=acme, user=person).exists()


# --- The connection page ---------------------------------------------------------------


def page(tenant: Any, name: str) -> str:
    return reverse(f"sso_settings:{name}", kwargs={"tenant_slug": tenant.slug})


def connection_form(idp: LocalIdP, **overrides: Any) -> dict[str, Any]:
    from tenants.models import Role

    member = Role.objects.get(tenant__name="Acme", key="member")
    return {
        "issuer": idp.issuer,
        "client_id": "client-1",
        "client_secret": "secret-1",
        "scopes": "openid email profile",
        "default_role": member.pk,
        **overrides,
    }


def test_an_owner_saves_a_connection_whose_secret_is_encrypted_and_never_shown(
    owner_client: Any, acme: Any, idp: LocalIdP, settings: Any
) -> None:
    settings.SSO_ALLOW_HTTP_ISSUERS = True

    response = owner_client.post(page(acme, "connection-save"), connection_form(idp))

    assert response.status_code == 302
    connection = Connection.objects.get(tenant=acme)
    assert "secret-1" not in connection.client_secret_encrypted
    html = owner_client.get(page(acme, "connection")).content.decode()
    assert "secret-1" not in html and "client-1" in html
    event = AuditEvent.objects.get(tenant=acme, action="sso.connection_created")
    assert "secret-1" not in str(event.after)
    # Saved again without a secret: the stored one is kept.
    owner_client.post(page(acme, "connection-save"), connection_form(idp, client_secret=""))
    assert Connection.objects.get().client_secret_encrypted == connection.client_secret_encrypted
    assert AuditEvent.objects.filter(tenant=acme, action="sso.connection_changed").exists()


def test_the_role_of_new_members_is_offered_by_the_readers_names_for_roles(
    owner_client: Any, acme: Any, owner: Any
) -> None:
    User.objects.filter(pk=owner.pk).update(language="de")
    html = owner_client.get(page(acme, "connection")).content.decode()
    member = Role.objects.get(tenant=acme, key="member")
    assert f'<option value="{member.pk}" selected>Mitglied</option>' in html
    assert ">Member</option>" not in html and ">Billing admin</option>" not in html
    assert "---------" not in html  # Django's empty choice, in every language


def test_an_issuer_that_does_not_answer_discovery_is_refused(
    owner_client: Any, acme: Any, idp: LocalIdP, settings: Any
) -> None:
    settings.SSO_ALLOW_HTTP_ISSUERS = True

    response = owner_client.post(
        page(acme, "connection-save"), connection_form(idp, issuer=idp.issuer + "/nothing-here")
    )

    assert response.status_code == 400 and not Connection.objects.exists()
    # Said beside the issuer field, the one to correct.
    assert "Could not read" in response.context["form"].errors["issuer"][0]
    assert not response.context["form"].non_field_errors()


def test_an_http_issuer_is_refused_in_production(
    owner_client: Any, acme: Any, idp: LocalIdP, settings: Any
) -> None:
    settings.SSO_ALLOW_HTTP_ISSUERS = False

    response = owner_client.post(page(acme, "connection-save"), connection_form(idp))

    assert response.status_code == 400
    assert "must be an https:// URL" in response.content.decode()
    assert "must be an https:// URL" in response.context["form"].errors["issuer"][0]


def test_every_mistake_shows_at_once_and_the_typed_secret_is_kept(
    owner_client: Any, acme: Any, idp: LocalIdP, settings: Any
) -> None:
    """An http issuer and a missing client ID: both said on the first try, beside their
    fields, and the secret just typed need not be typed again."""
    settings.SSO_ALLOW_HTTP_ISSUERS = False

    response = owner_client.post(
        page(acme, "connection-save"), connection_form(idp, client_id="", client_secret="s3-typed")
    )

    errors = response.context["form"].errors
    assert set(errors) == {"issuer", "client_id"}
    assert 'value="s3-typed"' in response.content.decode()
    assert not Connection.objects.exists()


def test_test_connection_runs_a_real_round_trip_and_shows_the_claims(
    owner_client: Any, acme: Any, idp: LocalIdP, acme_sso: Connection, owner: Any
) -> None:
    idp.user = {"sub": "okta-owner", "email": owner.email, "name": "Owner", "groups": "eng"}

    response = round_trip(owner_client, idp, page(acme, "connection-test"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "okta-owner" in html and "groups" in html and "would be signed in" in html
    assert AuditEvent.objects.filter(tenant=acme, action="sso.connection_tested").exists()
    assert not OrgIdentity.objects.exists()  # a test signs nobody in or up


def test_a_test_whose_starter_was_suspended_before_the_callback_shows_and_records_nothing(
    client: Any, acme: Any, idp: LocalIdP, acme_sso: Connection
) -> None:
    """Attack found: the callback re-checked the role itself and ignored a suspension,
    so a co-owner the directory suspended mid-test still saw what the IdP sends and
    wrote a "connection tested" row under Acme's name."""
    from django.utils import timezone

    from tests.tenants.factories import add_member

    co_owner = add_member(acme, role_key="owner")
    client.force_login(co_owner.user)
    idp.user = {"sub": "okta-co", "email": co_owner.user.email, "groups": "eng"}
    authorize = leave(client, page(acme, "connection-test"))
    Membership.objects.filter(pk=co_owner.pk).update(suspended_at=timezone.now())

    response = client.get(local(idp.consent(authorize)))

    assert response.status_code == 400
    assert "okta-co" not in response.content.decode()
    assert not AuditEvent.objects.filter(tenant=acme, action="sso.connection_tested").exists()


def test_a_password_reset_does_not_sign_in_a_member_who_must_use_sso(
    client: Any, acme_sso: Connection, member_of_acme: Any
) -> None:
    from accounts.models import EmailToken
    from accounts.tokens import email_token_issue

    _require_sso(acme_sso)
    token = email_token_issue(user=member_of_acme, purpose=EmailToken.Purpose.PASSWORD_RESET)
    url = reverse("accounts:password-reset", kwargs={"token": token})
    password = "a-brand-new-long-passphrase"

    response = client.post(url, {"password1": password, "password2": password}, follow=True)

    assert "signs its members in with single sign-on" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_when_the_default_role_is_deleted_new_members_get_the_member_role(
    client: Any, idp: LocalIdP, acme: Any, acme_sso: Connection, owner: Any
) -> None:
    from tenants.services import role_delete
    from tests.tenants.factories import make_role

    custom = make_role(acme, "Contractor", [])
    acme_sso.default_role = custom
    acme_sso.save()
    role_delete(tenant=acme, role=custom, acting_user=owner)
    idp.user = {"sub": "okta-5", "email": "late@example.com", "name": "Late"}

    continue_with_sso(client, idp, "late@example.com")

    assert Membership.objects.get(tenant=acme, user__email="late@example.com").role.key == "member"


def test_without_auto_join_a_verified_address_can_ask_and_an_owner_approves(
    client: Any, owner_client: Any, acme: Any, acme_sso: Connection, owner: Any
) -> None:
    from sso.models import JoinRequest

    acme_sso.join_requests = True
    acme_sso.save()
    person = UserFactory(email="asker@example.com")
    asker = Client()

    asker.post(reverse("accounts:sign-in"), {"email": person.email, "password": DEFAULT_PASSWORD})
    asker.post(reverse("accounts:sign-out"))
    asker.post(reverse("accounts:sign-in"), {"email": person.email, "password": DEFAULT_PASSWORD})

    join_request = JoinRequest.objects.get()  # asked once, however often they sign in
    assert not Membership.objects.filter(tenant=acme, user=person).exists()
    page = owner_client.get(page_url(acme, "connection")).content.decode()
    assert "asker@example.com" in page
    approve = reverse(
        "sso_settings:join-approve",
        kwargs={"tenant_slug": acme.slug, "request_id": join_request.pk},
    )
    owner_client.post(approve)

    assert Membership.objects.get(tenant=acme, user=person).role.key == "member"
    assert {"sso.join_requested", "sso.join_approved"} <= set(
        AuditEvent.objects.filter(tenant=acme).values_list("action", flat=True)
    )
    assert owner_client.post(approve, follow=True).status_code == 200  # answered already


def test_a_declined_request_adds_nobody(owner_client: Any, acme: Any, acme_sso: Connection) -> None:
    from sso.models import JoinRequest

    acme_sso.join_requests = True
    acme_sso.save()
    person = UserFactory(email="asker@example.com")
    Client().post(
        reverse("accounts:sign-in"), {"email": person.email, "password": DEFAULT_PASSWORD}
    )
    join_request = JoinRequest.objects.get()

    owner_client.post(
        reverse(
            "sso_settings:join-decline",
            kwargs={"tenant_slug": acme.slug, "request_id": join_request.pk},
        )
    )

    join_request.refresh_from_db()
    assert join_request.approved is False
    assert not Membership.objects.filter(tenant=acme, user=person).exists()


def page_url(tenant: Any, name: str) -> str:
    return reverse(f"sso_settings:{name}", kwargs={"tenant_slug": tenant.slug})


def test_the_idp_cannot_follow_its_link_to_an_account_that_left_its_domains(
    client: Any, idp: LocalIdP, acme: Any, acme_sso: Connection
) -> None:
    """The attack: Pat signed in through Acme's IdP once (subject linked), then left Acme
    and moved their account to a personal address. Whoever runs Acme's IdP asserts Pat's
    old subject with any address on Acme's domain: it must not reach Pat's account."""
    idp.user = {"sub": "okta-1", "email": "pat@example.com", "name": "Pat"}
    continue_with_sso(client, idp, "pat@example.com")
    client.post(reverse("accounts:sign-out"))
    pat = User.objects.get(email="pat@example.com")
    Membership.objects.filter(tenant=acme, user=pat).delete()
    pat.email = "pat@personal.example"
    pat.set_password("pats-own-password-123")
    pat.save()

    idp.user = {"sub": "okta-1", "email": "whoever@example.com", "name": "Whoever"}
    attacker = Client()
    continue_with_sso(attacker, idp, "whoever@example.com")

    assert signed_in_user_id(attacker) != pat.pk
    assert not Membership.objects.filter(tenant=acme, user=pat).exists()
    assert not OrgIdentity.objects.filter(user=pat).exists()
    newcomer = User.objects.get(email="whoever@example.com")
    assert signed_in_user_id(attacker) == newcomer.pk
    assert OrgIdentity.objects.get(subject="okta-1").user == newcomer


def test_a_linked_person_who_changed_address_within_the_domain_is_still_found(
    client: Any, idp: LocalIdP, acme_sso: Connection
) -> None:
    idp.user = {"sub": "okta-1", "email": "pat@example.com", "name": "Pat"}
    continue_with_sso(client, idp, "pat@example.com")
    client.post(reverse("accounts:sign-out"))
    pat = User.objects.get(email="pat@example.com")
    pat.email = "patricia@example.com"
    pat.save()
    idp.user = {**idp.user, "email": "patricia@example.com"}

    continue_with_sso(client, idp, "patricia@example.com")

    assert signed_in_user_id(client) == pat.pk


@pytest.mark.parametrize("unverified", [False, "false", "False", "FALSE", "no", "0", 0])
def test_an_address_the_idp_says_it_did_not_verify_signs_nobody_in(
    client: Any, idp: LocalIdP, acme: Any, owner: Any, acme_sso: Connection, unverified: Any
) -> None:
    """Attack found: an IdP open to self-registration (Keycloak, Auth0 sign-ups) sends
    `email_verified: false` for whatever address a stranger typed. Believed, the
    stranger signed in as Acme's owner, past the owner's authenticator app, and the
    stranger's subject stayed linked to the owner's account. Attack found later: only
    `false` and "false" were refused, so "False", "no" or 0 still signed the stranger in."""
    from tests.mfa.helpers import enable_totp

    enable_totp(owner)
    idp.user = {"sub": "stranger", "email": owner.email, "email_verified": unverified}

    response = continue_with_sso(client, idp, owner.email)

    assert response.status_code == 400
    assert "has not verified" in response.content.decode()
    assert signed_in_user_id(client) is None
    assert not OrgIdentity.objects.filter(subject="stranger").exists()


@pytest.mark.parametrize("verified", [True, "true", "TRUE"])
def test_an_address_the_idp_says_it_verified_signs_in(
    client: Any, idp: LocalIdP, acme: Any, acme_sso: Connection, verified: Any
) -> None:
    person = UserFactory(email="existing@example.com")
    idp.user = {"sub": "okta-2", "email": person.email, "email_verified": verified}

    continue_with_sso(client, idp, person.email)

    assert signed_in_user_id(client) == person.pk


def test_an_idp_that_sends_no_email_verified_claim_is_believed(
    client: Any, idp: LocalIdP, acme: Any, acme_sso: Connection
) -> None:
    """Entra ID sends none: the organisation chose its IdP and verified the domain."""
    person = UserFactory(email="existing@example.com")
    idp.user = {"sub": "entra-1", "email": person.email}

    continue_with_sso(client, idp, person.email)

    assert signed_in_user_id(client) == person.pk


def test_a_multi_tenant_entra_issuer_is_refused_beside_the_issuer_field(
    owner_client: Any, acme: Any, idp: LocalIdP, settings: Any, monkeypatch: Any
) -> None:
    """Attack found: `https://login.microsoftonline.com/common/v2.0` names its issuer
    with `{tenantid}`, and the token's own `tid` filled it in: an admin of any Entra
    tenant could assert an address on Acme's domains."""
    settings.SSO_ALLOW_HTTP_ISSUERS = True
    discovery = idp._discovery
    monkeypatch.setattr(idp, "_discovery", lambda: {**discovery(), "issuer": "{tenantid}"})

    response = owner_client.post(page(acme, "connection-save"), connection_form(idp))

    assert response.status_code == 400 and not Connection.objects.exists()
    assert "every Microsoft Entra tenant" in response.context["form"].errors["issuer"][0]


def test_a_connection_saved_with_a_multi_tenant_issuer_takes_no_other_tenants_token(
    client: Any, idp: LocalIdP, acme: Any, acme_sso: Connection, monkeypatch: Any
) -> None:
    """A connection saved before the refusal above: its tokens' issuer is compared as
    written, `{tenantid}` never filled in from the token."""
    from django.core.cache import cache

    victim = UserFactory(email="ceo@example.com")
    discovery = idp._discovery
    monkeypatch.setattr(
        idp, "_discovery", lambda: {**discovery(), "issuer": idp.issuer + "/{tenantid}/v2.0"}
    )
    cache.clear()  # the discovery document as the IdP now serves it
    idp.user = {
        "sub": "evil",
        "tid": "attacker-tenant",
        "iss": f"{idp.issuer}/attacker-tenant/v2.0",
        "email": victim.email,
    }

    response = continue_with_sso(client, idp, victim.email)

    assert response.status_code == 400
    assert signed_in_user_id(client) is None
