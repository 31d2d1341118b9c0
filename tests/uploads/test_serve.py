"""GET /serve/<tenant-folder>/<filename>: validation, visibility, headers, 304, streaming."""

from __future__ import annotations

import io
import urllib.request
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.utils import timezone

from tenants.services import membership_remove
from tenants.services.two_factor import tenant_two_factor_require
from tests.mfa.helpers import enable_totp
from tests.tenants.factories import OrgFactory, add_member
from tests.uploads.conftest import make_image
from tests.uploads.counting_storage import CountingFileSystemStorage
from uploads import services
from uploads.images import image_normalize

pytestmark = pytest.mark.django_db


def _avatar(user):
    data = make_image("PNG", (300, 300))
    image = image_normalize(io.BytesIO(data), filename="me.png", size=len(data))
    return services.avatar_update(user=user, image=image)


def _file(tenant, user, content=b"%PDF-1.7 secret", name="Plan.pdf"):
    return services.upload_create(
        tenant=tenant,
        uploaded_by=user,
        file=ContentFile(content, name=name),
        extension="pdf",
        content_type="application/pdf",
    )


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_avatar_is_public_and_streamed_with_safe_headers(any_storage, client, user):
    upload = _avatar(user)

    response = client.get(f"/serve/{upload.key}")

    assert response.status_code == 200
    assert response.streaming
    assert _body(response)[:8] == b"\x89PNG\r\n\x1a\n"
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "public, max-age=86400"
    assert response["ETag"] == f'"{upload.checksum}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert "attachment" not in response.get("Content-Disposition", "")


def test_member_file_is_a_private_attachment_with_the_recorded_type(any_storage, client, acme):
    member = add_member(acme).user
    upload = _file(acme, acme.memberships.get(role__key="owner").user)
    client.force_login(member)

    response = client.get(f"/serve/{upload.key}")

    assert response.status_code == 200
    assert _body(response) == b"%PDF-1.7 secret"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Plan.pdf"'
    assert response["Cache-Control"] == "private, no-cache"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_user_uploaded_image_files_are_downloads_too(client, acme, owner):
    data = make_image("PNG", (10, 10))
    upload = services.upload_create(
        tenant=acme,
        uploaded_by=owner,
        file=ContentFile(data, name="pic.png"),
        extension="png",
        content_type="image/png",
    )
    client.force_login(owner)
    assert client.get(f"/serve/{upload.key}")["Content-Disposition"].startswith("attachment")


def test_member_files_are_404_for_anonymous_visitors(client, acme, owner):
    upload = _file(acme, owner)
    assert client.get(f"/serve/{upload.key}").status_code == 404


def test_member_files_are_404_across_tenants(client, acme, owner, other_user):
    upload = _file(acme, owner)
    OrgFactory(owner=other_user)  # other_user owns a tenant, but not this one
    client.force_login(other_user)
    assert client.get(f"/serve/{upload.key}").status_code == 404


def test_removed_member_loses_access_at_once(client, acme, owner):
    membership = add_member(acme)
    upload = _file(acme, owner)
    client.force_login(membership.user)
    assert client.get(f"/serve/{upload.key}").status_code == 200
    membership_remove(tenant=membership.tenant, membership=membership, acting_user=owner)
    assert client.get(f"/serve/{upload.key}").status_code == 404


def test_files_of_a_deleted_org_are_not_served(client, acme, owner):
    from django.utils import timezone

    upload = _file(acme, owner)
    acme.deleted_at = timezone.now()
    acme.save(update_fields=["deleted_at"])
    cache.clear()
    client.force_login(owner)
    assert client.get(f"/serve/{upload.key}").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/serve/tenant-1/..%2f..%2fetc%2fpasswd",
        "/serve/tenant-1/%2e%2e",
        "/serve/%2e%2e/tenant-1",
        "/serve/tenant-1/%2e%2e%2ftenant-2%2fAAAAAAAAAAAAAAAAAAAAA.png",
        "/serve/tenant-1/%252e%252e%252fAAAAAAAAAAAAAAAAAAAAA.png",
        "/serve/tenant-1%252fAAAAAAAAAAAAAAAAAAAAA.png/x",
        "/serve/tenant-1/AAAAAAAAAAAAAAAAAAAA%00.png",
        "/serve/tenant-1/AAAAAAAAAAAAAAAAAAAAA.png%00.html",
        "/serve/tenant-1%5cAAAAAAAAAAAAAAAAAAAAA.png/x",
        "/serve/tenant-1/..%5c..%5cwin.ini",
        "/serve/tenant-1/./AAAAAAAAAAAAAAAAAAAAA.png",
        "/serve/tenant-1/AAAAAAAAAAAAAAAAAAAAA.png/",
        "/serve/tenant-01/AAAAAAAAAAAAAAAAAAAAA.png",
        "/serve/tenant-1/AAAAAAAAAAAAAAAAAAAAA.PNG",
        "/serve/tenant-1/AAAAAAAAAAAAAAAAAAAAA.png%0a",
        "/serve/static/AAAAAAAAAAAAAAAAAAAAA.png",
    ],
)
def test_traversal_and_malformed_paths_are_404_without_touching_storage(
    client, counting_storage, path
):
    response = client.get(path)
    assert response.status_code == 404
    assert CountingFileSystemStorage.calls == []


def test_unknown_well_formed_key_is_404(client, counting_storage):
    assert client.get("/serve/tenant-1/AAAAAAAAAAAAAAAAAAAAA.png").status_code == 404
    assert CountingFileSystemStorage.calls == []


def test_if_none_match_gives_304_with_one_query_and_no_storage_read(
    client, counting_storage, user, django_assert_max_num_queries
):
    upload = _avatar(user)
    etag = client.get(f"/serve/{upload.key}")["ETag"]
    cache.clear()  # the worst case: the row is not cached yet
    CountingFileSystemStorage.calls.clear()

    with django_assert_max_num_queries(1):
        response = client.get(f"/serve/{upload.key}", headers={"if-none-match": etag})

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert response["Cache-Control"] == "public, max-age=86400"
    assert CountingFileSystemStorage.calls == []

    # Once cached, a revalidation needs no query at all.
    with django_assert_max_num_queries(0):
        assert (
            client.get(f"/serve/{upload.key}", headers={"if-none-match": etag}).status_code == 304
        )


@pytest.mark.parametrize("header", ['W/"{}"', '"nope", "{}"', "*"])
def test_weak_list_and_star_etags_match(client, user, header):
    upload = _avatar(user)
    response = client.get(
        f"/serve/{upload.key}", headers={"if-none-match": header.format(upload.checksum)}
    )
    assert response.status_code == 304


def test_stale_etag_gets_the_full_file(client, user):
    upload = _avatar(user)
    response = client.get(f"/serve/{upload.key}", headers={"if-none-match": '"old"'})
    assert response.status_code == 200


def test_member_file_304_still_checks_membership(client, acme, owner, other_user):
    upload = _file(acme, owner)
    client.force_login(other_user)
    response = client.get(f"/serve/{upload.key}", headers={"if-none-match": "*"})
    assert response.status_code == 404


def test_deleted_file_is_gone_from_serve(client, acme, owner, django_capture_on_commit_callbacks):
    upload = _file(acme, owner)
    client.force_login(owner)
    assert client.get(f"/serve/{upload.key}").status_code == 200  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        services.upload_delete(tenant=acme, upload=upload, acting_user=owner)
    assert client.get(f"/serve/{upload.key}").status_code == 404


def test_row_without_object_is_404(any_storage, client, user):
    upload = _avatar(user)
    any_storage.delete(upload.key)
    assert client.get(f"/serve/{upload.key}").status_code == 404


def test_only_get_and_head(client, user):
    upload = _avatar(user)
    assert client.head(f"/serve/{upload.key}").status_code == 200
    assert client.post(f"/serve/{upload.key}").status_code == 405


@pytest.mark.s3
def test_presigned_redirect_for_member_files_on_s3(s3_storage, settings, client, acme, owner):
    settings.UPLOADS_SERVE_PRESIGNED = True
    upload = _file(acme, owner)
    avatar = _avatar(owner)
    client.force_login(owner)

    response = client.get(f"/serve/{upload.key}")

    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    url = response["Location"]
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=60" in url
    with urllib.request.urlopen(url) as s3_response:  # noqa: S310 - the local moto server
        assert s3_response.read() == b"%PDF-1.7 secret"
        assert s3_response.headers["Content-Disposition"].startswith("attachment")
        assert s3_response.headers["Content-Type"] == "application/pdf"
    # Public images are still streamed by us, with our headers.
    assert client.get(f"/serve/{avatar.key}").status_code == 200
    # Visibility is decided before redirecting.
    client.logout()
    assert client.get(f"/serve/{upload.key}").status_code == 404


def test_a_member_shut_out_by_the_two_factor_policy_gets_no_file(any_storage, client, acme):
    """An attack found the organisation's pages closed to a member without a second
    factor after the grace period, while /serve/ still handed them its files by a link
    seen before."""
    owner = acme.memberships.get(role__key="owner").user
    member = add_member(acme).user
    upload = _file(acme, owner)
    tenant_two_factor_require(tenant=acme, acting_user=owner, grace_days=7)
    client.force_login(member)

    assert client.get(f"/serve/{upload.key}").status_code == 200  # the grace period
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        client.force_login(member)
        assert client.get(f"/t/{acme.slug}/files/").status_code == 302
        assert client.get(f"/serve/{upload.key}").status_code == 404

        enable_totp(member)
        assert _body(client.get(f"/serve/{upload.key}")) == b"%PDF-1.7 secret"
