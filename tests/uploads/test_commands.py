"""manage.py ensure_bucket and cleanup_orphan_uploads, and the UPLOADS_* system checks."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from uploads.checks import check_uploads_settings
from uploads.keys import upload_key_build


@pytest.mark.s3
def test_ensure_bucket_creates_the_bucket_once(s3_storage, settings):
    import boto3

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            **settings.STORAGES["default"],
            "OPTIONS": {**settings.STORAGES["default"]["OPTIONS"], "bucket_name": "brand-new"},
        },
    }
    out = StringIO()
    call_command("ensure_bucket", stdout=out)
    assert "Created bucket brand-new." in out.getvalue()
    call_command("ensure_bucket", stdout=out)
    assert "Bucket brand-new already exists." in out.getvalue()
    client = boto3.client(
        "s3",
        endpoint_url=settings.STORAGES["default"]["OPTIONS"]["endpoint_url"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    assert "brand-new" in [b["Name"] for b in client.list_buckets()["Buckets"]]


def test_ensure_bucket_creates_the_media_directory(settings, tmp_path):
    location = tmp_path / "new-media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }
    out = StringIO()
    call_command("ensure_bucket", stdout=out)
    assert location.is_dir()
    assert "Created directory" in out.getvalue()


@pytest.mark.django_db
def test_cleanup_command_dry_run_then_delete(any_storage, acme):
    orphan = upload_key_build(tenant_id=acme.pk, extension="png")
    any_storage.save(orphan, ContentFile(b"x"))

    out = StringIO()
    call_command("cleanup_orphan_uploads", "--dry-run", "--min-age", "0", stdout=out)
    assert f"Would delete {orphan}" in out.getvalue()
    assert any_storage.exists(orphan)

    out = StringIO()
    call_command("cleanup_orphan_uploads", "--min-age", "3600", stdout=out)
    assert "Deleted 0 orphaned object(s)." in out.getvalue()

    out = StringIO()
    call_command("cleanup_orphan_uploads", "--min-age", "0", stdout=out)
    assert "Deleted 1 orphaned object(s)." in out.getvalue()
    assert not any_storage.exists(orphan)


def test_cleanup_command_refuses_a_negative_age():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="--min-age"):
        call_command("cleanup_orphan_uploads", "--min-age", "-1")


def test_default_settings_pass_the_checks():
    assert check_uploads_settings() == []


def test_checks_catch_bad_file_types_and_presigned_without_s3(settings):
    settings.UPLOADS_FILE_TYPES = {"PDF!": "application/pdf", "html": "text/html"}
    settings.UPLOADS_SERVE_PRESIGNED = True
    ids = {m.id for m in check_uploads_settings()}
    assert ids == {"uploads.E001", "uploads.W001", "uploads.W002"}


def test_presigned_needs_signed_urls(settings):
    settings.UPLOADS_SERVE_PRESIGNED = True
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"querystring_auth": False},
        },
    }
    assert [m.id for m in check_uploads_settings()] == ["uploads.E003"]
