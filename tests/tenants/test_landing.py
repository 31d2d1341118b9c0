"""Where sign-in and /app/ land: the workspace the person worked in last, from any browser.

The visit is remembered on the membership (`last_visited_at`), written when a browser
switches workspace and at most every few minutes while it stays, so a page view in the
same workspace costs no write.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tenants import services
from tenants.models import Membership, Tenant
from tenants.services.member_state import VISIT_INTERVAL
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.tenants.factories import OrgFactory, add_member

pytestmark = pytest.mark.django_db


def sign_in(client: Client, user: Any, **extra: Any) -> str:
    """Sign in through the form and follow the redirects: the path the person lands on."""
    response = client.post(
        "/auth/sign-in/",
        {"email": user.email, "password": DEFAULT_PASSWORD, **extra},
        follow=True,
    )
    assert response.status_code == 200
    return response.request["PATH_INFO"]


def personal_of(user: Any) -> Tenant:
    return Tenant.objects.get(personal_owner=user)


def writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")
    ]


def test_sign_in_lands_in_the_organisation_used_last_in_another_browser(
    owner: Any, acme: Any
) -> None:
    laptop, phone = Client(), Client()
    assert sign_in(laptop, owner) == f"/t/{acme.slug}/", "never visited: orgs come first"
    laptop.get(f"/t/{personal_of(owner).slug}/")
    assert sign_in(phone, owner) == f"/t/{personal_of(owner).slug}/"

    laptop.get(f"/t/{acme.slug}/members/")

    assert sign_in(Client(), owner) == f"/t/{acme.slug}/"


def test_app_opens_the_workspace_used_last(owner_client: Any, owner: Any, acme: Any) -> None:
    personal = personal_of(owner)
    owner_client.get(f"/t/{personal.slug}/")
    assert owner_client.get("/app/")["Location"] == f"/t/{personal.slug}/"

    owner_client.get(f"/t/{acme.slug}/settings/")

    assert owner_client.get("/app/")["Location"] == f"/t/{acme.slug}/"


def test_next_wins_over_the_remembered_workspace(owner: Any, acme: Any) -> None:
    browser = Client()
    browser.force_login(owner)
    browser.get(f"/t/{acme.slug}/")
    browser.logout()

    assert sign_in(Client(), owner, next="/account/sessions/") == "/account/sessions/"


def test_a_removed_membership_falls_back_to_the_most_recent_other_workspace(
    client: Any, owner: Any, acme: Any
) -> None:
    someone = add_member(acme).user
    beta = OrgFactory(owner=owner, name="Beta")
    add_member(beta, someone)
    client.force_login(someone)
    client.get(f"/t/{personal_of(someone).slug}/")
    client.get(f"/t/{beta.slug}/")
    client.get(f"/t/{acme.slug}/")
    assert client.get("/app/")["Location"] == f"/t/{acme.slug}/"

    services.membership_remove(
        tenant=acme, membership=Membership.objects.get(tenant=acme, user=someone), acting_user=owner
    )
    assert client.get("/app/")["Location"] == f"/t/{beta.slug}/"
    assert sign_in(Client(), someone) == f"/t/{beta.slug}/"

    services.membership_leave(
        tenant=beta, membership=Membership.objects.get(tenant=beta, user=someone)
    )
    assert client.get("/app/")["Location"] == f"/t/{personal_of(someone).slug}/"


def test_a_deleted_organisation_falls_back_too(owner_client: Any, owner: Any, acme: Any) -> None:
    owner_client.get(f"/t/{personal_of(owner).slug}/")
    owner_client.get(f"/t/{acme.slug}/")

    services.tenant_delete(tenant=acme, acting_user=owner)

    assert owner_client.get("/app/")["Location"] == f"/t/{personal_of(owner).slug}/"


def test_staying_in_a_workspace_writes_no_visit_per_request(
    owner_client: Any, owner: Any, acme: Any
) -> None:
    owner_client.get(f"/t/{acme.slug}/")  # switching here is written at once
    first = Membership.objects.get(tenant=acme, user=owner).last_visited_at
    assert first is not None

    with CaptureQueriesContext(connection) as queries:
        for page in ("", "members/", "teams/", "settings/"):
            assert owner_client.get(f"/t/{acme.slug}/{page}").status_code == 200
    assert writes(queries) == []
    assert Membership.objects.get(tenant=acme, user=owner).last_visited_at == first


def test_a_long_stay_is_refreshed_once_per_interval(
    owner_client: Any, owner: Any, acme: Any
) -> None:
    owner_client.get(f"/t/{acme.slug}/")
    stale = timezone.now() - VISIT_INTERVAL - timedelta(seconds=1)
    Membership.objects.filter(tenant=acme, user=owner).update(last_visited_at=stale)

    with CaptureQueriesContext(connection) as queries:
        owner_client.get(f"/t/{acme.slug}/")
        owner_client.get(f"/t/{acme.slug}/")

    assert len(writes(queries)) == 1
    assert Membership.objects.get(tenant=acme, user=owner).last_visited_at > stale


def test_switching_workspace_is_remembered_at_once(
    owner_client: Any, owner: Any, acme: Any
) -> None:
    personal = personal_of(owner)
    owner_client.get(f"/t/{acme.slug}/")
    owner_client.get(f"/t/{personal.slug}/")
    owner_client.get(f"/t/{acme.slug}/")  # back within the interval: still written

    latest = (
        Membership.objects.filter(user=owner)
        .order_by("-last_visited_at")
        .values_list("tenant__slug", flat=True)
    )[0]
    assert latest == acme.slug


def test_someone_made_outside_sign_up_lands_in_a_new_personal_workspace(client: Client) -> None:
    """A person staff created in the admin (or a shell) has no workspace yet: the first
    sign-in makes their personal one instead of ending on "not found"; the next reuses it."""
    from accounts.models import User

    person = User.objects.create_user(
        email="made@example.com", password=DEFAULT_PASSWORD, name="Made"
    )
    assert not Tenant.objects.filter(personal_owner=person).exists()

    landed = sign_in(client, person)

    personal = personal_of(person)
    assert landed == f"/t/{personal.slug}/"
    assert Membership.objects.get(user=person).role.is_owner
    client.get("/app/")
    assert Tenant.objects.filter(personal_owner=person).count() == 1


def test_a_person_whose_personal_workspace_was_deleted_gets_no_new_one(client: Client) -> None:
    from accounts.models import User

    person = User.objects.create_user(
        email="back@example.com", password=DEFAULT_PASSWORD, name="Back"
    )
    services.tenant_create_personal(user=person)
    Tenant.objects.filter(personal_owner=person).update(deleted_at=timezone.now())
    client.force_login(person)

    assert client.get("/app/").status_code == 404
    assert Tenant.objects.filter(personal_owner=person).count() == 1
