"""A deleted workspace's files are deleted after UPLOADS_DELETED_WORKSPACE_DAYS: an
organisation deleted by its owner, or an account's personal workspace. They were kept
forever, "removed from view"; the pages said so and nothing ever deleted them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.services_lifecycle import account_delete
from core.models import AuditEvent
from tenants.services import tenant_delete
from tests.accounts.factories import UserFactory
from tests.tenants.factories import OrgFactory
from uploads.forms import FileUploadForm
from uploads.models import Upload
from uploads.storage import upload_storage

pytestmark = pytest.mark.django_db


def _file(tenant: Any, user: Any, name: str) -> Upload:
    upload = SimpleUploadedFile(name, b"the customer's bytes", "text/plain")
    form = FileUploadForm(data={}, files={"file": upload}, tenant=tenant)
    assert form.is_valid(), form.errors
    return form.save(uploaded_by=user)


def job_run(name: str) -> str:
    """The job as the scheduler runs it: the task SCHEDULE names."""
    return import_string(django_settings.SCHEDULE[name]["task"])()


def _stored(upload: Upload) -> bool:
    return upload_storage().exists(upload.key)


@pytest.fixture
def world(settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    owner = UserFactory()
    gone, kept, recent = (OrgFactory(owner=owner, name=n) for n in ("Gone", "Kept", "Recent"))
    files = {org.name: _file(org, owner, f"{org.name}.txt") for org in (gone, kept, recent)}
    with time_machine.travel(timezone.now() - timedelta(days=31)):
        tenant_delete(tenant=gone, acting_user=owner)
    with time_machine.travel(timezone.now() - timedelta(days=29)):
        tenant_delete(tenant=recent, acting_user=owner)
    return {"owner": owner, "gone": gone, "files": files}


def test_the_files_of_a_workspace_deleted_more_than_30_days_ago_are_deleted(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    files = world["files"]
    assert all(_stored(upload) for upload in files.values())

    with django_capture_on_commit_callbacks(execute=True):
        said = job_run("deleted_workspace_files")

    assert "Deleted 1 file(s) of workspaces deleted more than 30 days ago." in said
    assert not Upload.objects.filter(pk=files["Gone"].pk).exists()
    assert not _stored(files["Gone"])
    for name in ("Kept", "Recent"):  # a live one, and one still within its 30 days
        assert Upload.objects.filter(pk=files[name].pk).exists() and _stored(files[name])
    # The log keeps what happened and the file's name.
    assert AuditEvent.objects.filter(
        tenant=world["gone"], action="file.uploaded", target_label="Gone.txt"
    ).exists()


def test_a_deleted_accounts_personal_files_go_the_same_way(
    settings: Any, tmp_path: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    user = UserFactory()
    mine = _file(user.personal_tenant, user, "mine.txt")
    with time_machine.travel(timezone.now() - timedelta(days=31)):
        account_delete(user=user)

    with django_capture_on_commit_callbacks(execute=True):
        job_run("deleted_workspace_files")

    assert not Upload.objects.filter(pk=mine.pk).exists() and not _stored(mine)


@pytest.mark.parametrize(
    ("page", "said"),
    [
        ("/account/delete/", "its files are deleted after 30 days."),
        ("settings", "Its files are deleted after 30 days; its records are kept"),
    ],
)
def test_the_delete_pages_say_when_the_files_go(
    client: Any, page: str, said: str, settings: Any
) -> None:
    owner = UserFactory()
    org = OrgFactory(owner=owner, name="Said")
    client.force_login(owner)
    url = f"/t/{org.slug}/settings/" if page == "settings" else page

    assert said in client.get(url).content.decode()
