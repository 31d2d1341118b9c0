"""TenantMiddleware: one query on a hit, 404 for strangers, redirects for old slugs.
Where /app/ lands is tested in test_landing.py."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tenants import services
from tenants.models import Role
from tests.tenants.factories import add_member

pytestmark = pytest.mark.django_db


def test_members_get_the_tenant_membership_and_role_in_one_query(
    rf: Any, acme: Any, owner: Any
) -> None:
    from django.contrib.sessions.backends.signed_cookies import SessionStore

    from tenants.middleware import TenantMiddleware

    def process(session: SessionStore) -> tuple[Any, int]:
        request = rf.get(f"/t/{acme.slug}/")
        request.user = owner
        request.session = session
        kwargs = {"tenant_slug": acme.slug}
        with CaptureQueriesContext(connection) as queries:
            response = TenantMiddleware(lambda r: None).process_view(
                request, lambda r: None, (), kwargs
            )
        assert response is None and kwargs == {}
        return request, len(queries)

    session = SessionStore()
    _, first = process(session)
    assert first == 2, "switching into a workspace also records the visit"
    request, again = process(session)
    assert again == 1
    assert (
        request.tenant == acme and request.membership.user == owner and request.role.key == "owner"
    )
    assert request.session["active_tenant_id"] == acme.pk


def test_anonymous_visitors_are_sent_to_sign_in_with_next(client: Any, acme: Any) -> None:
    response = client.get(f"/t/{acme.slug}/members/")
    assert response.status_code == 302
    assert response["Location"] == f"/auth/sign-in/?next=/t/{acme.slug}/members/"


def test_non_members_get_a_404_that_does_not_reveal_the_tenant(
    client: Any, acme: Any, other_user: Any
) -> None:
    client.force_login(other_user)
    assert client.get(f"/t/{acme.slug}/").status_code == 404
    assert client.get("/t/no-such-tenant/").status_code == 404


def test_deleted_orgs_disappear_from_urls(
    owner_client: Any, acme: Any, owner: Any, other_user: Any
) -> None:
    """Its pages are gone for everyone; a former member hears it was deleted (a walk
    found a colleague met a bare "Page not found"), anyone else learns nothing of it."""
    services.tenant_delete(tenant=acme, acting_user=owner)
    stranger = Client()
    stranger.force_login(other_user)

    page = owner_client.get(f"/t/{acme.slug}/members/")
    theirs = stranger.get(f"/t/{acme.slug}/members/")

    assert page.status_code == 410
    html = page.content.decode()
    assert "Acme was deleted on" in html and "nobody can open it any more" in html
    assert 'href="/account/tenants/"' in html
    assert theirs.status_code == 404 and "Acme" not in theirs.content.decode()


def test_old_slugs_redirect_members_to_the_same_page(
    owner_client: Any, acme: Any, owner: Any
) -> None:
    services.tenant_change_slug(tenant=acme, slug="acme-global", acting_user=owner)
    response = owner_client.get("/t/acme/members/?page=2")
    assert response.status_code == 302
    assert response["Location"] == "/t/acme-global/members/?page=2"
    post = owner_client.post("/t/acme/settings/rename/", {"name": "X"})
    assert post.status_code == 307, "a form post keeps its method through the redirect"


def test_old_slugs_are_a_404_for_non_members(
    client: Any, acme: Any, owner: Any, other_user: Any
) -> None:
    services.tenant_change_slug(tenant=acme, slug="acme-global", acting_user=owner)
    client.force_login(other_user)
    assert client.get("/t/acme/").status_code == 404


def test_a_removed_member_loses_access_on_the_next_request(
    client: Any, acme: Any, owner: Any
) -> None:
    m = add_member(acme)
    client.force_login(m.user)
    assert client.get(f"/t/{acme.slug}/").status_code == 200
    services.membership_remove(tenant=acme, membership=m, acting_user=owner)
    assert client.get(f"/t/{acme.slug}/").status_code == 404


def test_a_demoted_admin_loses_admin_pages_on_the_next_request(
    client: Any, acme: Any, owner: Any
) -> None:
    m = add_member(acme, role_key="admin")
    client.force_login(m.user)
    assert client.post(f"/t/{acme.slug}/teams/new/", {"name": "Ops"}).status_code == 302
    services.membership_change_role(
        tenant=acme,
        membership=m,
        role=Role.objects.get(tenant=acme, key="member"),
        acting_user=owner,
    )
    assert client.post(f"/t/{acme.slug}/teams/new/", {"name": "Ops 2"}).status_code == 403


def test_app_requires_sign_in(client: Any) -> None:
    assert client.get("/app/")["Location"].startswith("/auth/sign-in/")
