"""Storing, replacing and deleting uploads, on the filesystem and on S3 (moto over HTTP)."""

from __future__ import annotations

import io
import logging
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile

from billing.exceptions import PlanLimitReached
from tests.accounts.factories import UserFactory
from tests.tenants.factories import OrgFactory
from tests.uploads.conftest import make_image
from uploads import services
from uploads.images import image_normalize
from uploads.keys import upload_key_build
from uploads.models import Upload


def _image(fmt: str = "PNG", size: tuple[int, int] = (300, 300)):
    data = make_image(fmt, size)
    return image_normalize(io.BytesIO(data), filename=f"me.{fmt.lower()}", size=len(data))


pytestmark = pytest.mark.django_db(transaction=False)


def test_avatar_is_stored_in_the_personal_tenant_and_recorded(any_storage, user):
    upload = services.avatar_update(user=user, image=_image())

    user.refresh_from_db()
    assert user.avatar == upload.key
    assert upload.key.startswith(f"tenant-{user.personal_tenant.pk}/")
    assert upload.kind == Upload.Kind.AVATAR
    assert upload.content_type == "image/png"
    assert upload.uploaded_by == user
    assert upload.original_filename == "me.png"
    with any_storage.open(upload.key, "rb") as fh:
        stored = fh.read()
    assert len(stored) == upload.size
    import hashlib

    assert hashlib.sha256(stored).hexdigest() == upload.checksum


def test_replacing_an_avatar_deletes_the_old_object_after_commit(
    any_storage, user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.avatar_update(user=user, image=_image())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = services.avatar_update(user=user, image=_image("JPEG"))
        # Until commit, the old object is still there (a rollback must not lose it).
        assert any_storage.exists(first.key)

    assert callbacks
    assert not any_storage.exists(first.key)
    assert any_storage.exists(second.key)
    assert list(Upload.objects.values_list("key", flat=True)) == [second.key]
    user.refresh_from_db()
    assert user.avatar == second.key


def test_old_object_stays_until_commit_and_nothing_is_deleted_on_rollback(any_storage, user):
    from django.db import transaction

    services.avatar_update(user=user, image=_image())
    old = user.avatar

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        services.avatar_update(user=user, image=_image())
        raise Boom

    user.refresh_from_db()
    assert user.avatar == old
    assert any_storage.exists(old)
    assert Upload.objects.get().key == old


def test_failed_delete_after_replacement_is_logged_and_left_for_cleanup(
    settings, tmp_path, user, django_capture_on_commit_callbacks, caplog
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "tests.uploads.counting_storage.FailingDeleteStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    services.avatar_update(user=user, image=_image())
    old = user.avatar
    with (
        caplog.at_level(logging.WARNING, logger="uploads"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.avatar_update(user=user, image=_image())

    assert (tmp_path / old).exists()
    assert any(old in r.getMessage() for r in caplog.records)
    # The object has no row any more, so the orphan sweep will find it.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    assert services.orphan_uploads_cleanup(min_age=timedelta(0), dry_run=True) == [old]


def test_removing_the_avatar_clears_it_and_deletes_the_object(
    any_storage, user, django_capture_on_commit_callbacks
):
    upload = services.avatar_update(user=user, image=_image())
    with django_capture_on_commit_callbacks(execute=True):
        services.avatar_remove(user=user)

    user.refresh_from_db()
    assert user.avatar == ""
    assert not Upload.objects.exists()
    assert not any_storage.exists(upload.key)


def test_a_file_deleted_from_two_tabs_is_recorded_and_announced_once(any_storage, acme, owner):
    """A double click (or an API retry) wrote two "File deleted" events and sent two
    `file.deleted` webhooks: the second finds the row gone and does nothing."""
    from core.models import AuditEvent

    upload = _upload_file(acme, owner)
    second_tab = Upload.objects.get(pk=upload.pk)
    services.upload_delete(tenant=acme, upload=upload, acting_user=owner)

    services.upload_delete(tenant=acme, upload=second_tab, acting_user=owner)

    assert AuditEvent.objects.filter(tenant=acme, action="file.deleted").count() == 1


def test_logo_replacement_mirrors_the_avatar(any_storage, user, django_capture_on_commit_callbacks):
    org = OrgFactory(owner=user)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.logo_update(tenant=org, image=_image(), acting_user=user)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.logo_update(tenant=org, image=_image("WEBP"), acting_user=user)

    org.refresh_from_db()
    assert org.logo == second.key and second.key.startswith(f"tenant-{org.pk}/")
    assert not any_storage.exists(first.key)
    with django_capture_on_commit_callbacks(execute=True):
        services.logo_remove(tenant=org, acting_user=user)
    org.refresh_from_db()
    assert org.logo == "" and not any_storage.exists(second.key)


def _upload_file(tenant, user, content: bytes = b"%PDF-1.7 hello", name: str = "Report.pdf"):
    return services.upload_create(
        tenant=tenant,
        uploaded_by=user,
        file=ContentFile(content, name=name),
        extension="pdf",
        content_type="application/pdf",
    )


def test_the_upload_service_itself_refuses_a_file_past_the_storage_cap(
    any_storage, settings, acme, owner
):
    """The cap lives in upload_create, so every caller gets it, not only the form."""
    settings.BILLING_PLANS = {
        **settings.BILLING_PLANS,
        "free": {**settings.BILLING_PLANS["free"], "max_storage_mb": 1},
    }
    _upload_file(acme, owner, content=b"%PDF" + b"x" * 700_000)

    with pytest.raises(PlanLimitReached, match="of the Free plan's 1\xa0MB of storage is left"):
        _upload_file(acme, owner, content=b"%PDF" + b"y" * 400_000, name="Second.pdf")

    assert list(Upload.objects.values_list("original_filename", flat=True)) == ["Report.pdf"]
    assert len(any_storage.listdir(f"tenant-{acme.pk}")[1]) == 1


def test_a_logo_counts_against_the_storage_cap_net_of_the_one_it_replaces(
    any_storage, settings, acme, owner, django_capture_on_commit_callbacks
):
    """The review found logos counted in storage used but never checked: a workspace at
    its cap could still add one. Replacing a logo frees the old one's bytes first."""
    cap = 1024 * 1024
    settings.BILLING_PLANS = {
        **settings.BILLING_PLANS,
        "free": {**settings.BILLING_PLANS["free"], "max_storage_mb": 1},
    }
    with django_capture_on_commit_callbacks(execute=True):
        logo = services.logo_update(tenant=acme, image=_image(), acting_user=owner).size
    _upload_file(acme, owner, content=b"%PDF" + b"x" * (cap - logo - 4))  # exactly full

    with django_capture_on_commit_callbacks(execute=True):  # the same logo again: fits
        services.logo_update(tenant=acme, image=_image(), acting_user=owner)
    with django_capture_on_commit_callbacks(execute=True):
        services.logo_remove(tenant=acme, acting_user=owner)
    _upload_file(acme, owner, content=b"%PDF", name="Small.pdf")  # 4 bytes of its room

    with pytest.raises(PlanLimitReached, match="of the Free plan's 1\xa0MB of storage is left"):
        services.logo_update(tenant=acme, image=_image(), acting_user=owner)

    acme.refresh_from_db()
    assert acme.logo == ""  # the refused logo changed nothing
    assert not Upload.objects.filter(kind=Upload.Kind.LOGO).exists()


def test_general_file_is_stored_under_a_new_key_with_its_checksum(any_storage, acme, owner):
    upload = _upload_file(acme, owner)

    assert upload.key.startswith(f"tenant-{acme.pk}/") and upload.key.endswith(".pdf")
    assert upload.original_filename == "Report.pdf"
    assert upload.size == len(b"%PDF-1.7 hello")
    with any_storage.open(upload.key, "rb") as fh:
        assert fh.read() == b"%PDF-1.7 hello"


def test_file_names_lose_paths_and_control_characters(acme, owner):
    upload = _upload_file(acme, owner, name="C:\\Users\\me\\evil\x07\n.pdf")
    assert upload.original_filename == "evil.pdf"


def test_deleting_a_file_removes_row_now_and_object_after_commit(
    any_storage, acme, owner, django_capture_on_commit_callbacks
):
    upload = _upload_file(acme, owner)
    with django_capture_on_commit_callbacks(execute=True):
        services.upload_delete(tenant=acme, upload=upload, acting_user=owner)
    assert not Upload.objects.exists()
    assert not any_storage.exists(upload.key)


def test_deleting_another_tenants_file_is_refused(acme, owner, other_user):
    upload = _upload_file(acme, owner)
    with pytest.raises(ValueError, match="does not belong to this tenant"):
        services.upload_delete(
            tenant=other_user.personal_tenant, upload=upload, acting_user=other_user
        )
    assert Upload.objects.filter(pk=upload.pk).exists()


def test_orphan_cleanup_removes_only_old_objects_without_rows(any_storage, acme, owner):
    kept = _upload_file(acme, owner)
    orphan = upload_key_build(tenant_id=acme.pk, extension="pdf")
    any_storage.save(orphan, ContentFile(b"left behind"))
    foreign = f"tenant-{acme.pk}/notes.txt"
    any_storage.save(foreign, ContentFile(b"someone else's"))

    # Young objects may belong to an upload whose row has not committed yet.
    assert services.orphan_uploads_cleanup(min_age=timedelta(hours=1), dry_run=False) == []
    assert any_storage.exists(orphan)

    assert services.orphan_uploads_cleanup(min_age=timedelta(0), dry_run=True) == [orphan]
    assert any_storage.exists(orphan)

    assert services.orphan_uploads_cleanup(min_age=timedelta(0), dry_run=False) == [orphan]
    assert not any_storage.exists(orphan)
    assert any_storage.exists(kept.key)
    assert any_storage.exists(foreign)  # not in our key shape: reported, never deleted


def _redis_down(*, ignore_exceptions: bool) -> dict:
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 0.2,
                "SOCKET_TIMEOUT": 0.2,
                "IGNORE_EXCEPTIONS": ignore_exceptions,
            },
        }
    }


@pytest.mark.parametrize("ignore_exceptions", [True, False], ids=["as-configured", "cache-raises"])
@pytest.mark.django_db(transaction=True)
def test_replacing_an_avatar_while_redis_is_down_keeps_the_new_one(
    any_storage, settings, client, ignore_exceptions
):
    """Regression (found by `make soak`): the post-commit cache clean-up failed with Redis
    down, the error looked like a failed save, and the new object was deleted. The cache
    ignores Redis errors as configured; and even a cache that raises must not undo a
    committed replacement."""
    user = UserFactory()
    first = services.avatar_update(user=user, image=_image())
    settings.CACHES = _redis_down(ignore_exceptions=ignore_exceptions)

    second = services.avatar_update(user=user, image=_image("JPEG"))

    user.refresh_from_db()
    assert user.avatar == second.key
    assert any_storage.exists(second.key)
    assert Upload.objects.get(key=second.key)
    if ignore_exceptions:  # the old object's clean-up ran; /serve/ answers from the database
        assert not any_storage.exists(first.key)
        response = client.get(f"/serve/{second.key}")
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
