"""Staff delete tenant files through the upload service (audited, object removed),
never as bare rows; avatars and logos stay with their owners."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from core.models import AuditEvent
from tests.accounts.factories import staff_with
from tests.uploads.conftest import make_image
from uploads import services
from uploads.images import image_normalize
from uploads.models import Upload

pytestmark = pytest.mark.django_db


def test_staff_delete_files_through_the_upload_service(
    client: Client, acme: Any, owner: Any, django_capture_on_commit_callbacks: Any
) -> None:
    upload = services.upload_create(
        tenant=acme,
        uploaded_by=owner,
        file=ContentFile(b"%PDF-1.7 hello", name="Report.pdf"),
        extension="pdf",
        content_type="application/pdf",
    )
    data = make_image("PNG", (300, 300))
    avatar = services.avatar_update(
        user=owner, image=image_normalize(io.BytesIO(data), filename="me.png", size=len(data))
    )
    staff = staff_with("uploads.view_upload", "uploads.delete_upload")
    client.force_login(staff)

    listing = client.get("/admin/uploads/upload/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            "/admin/uploads/upload/",
            {
                "action": "delete_selected_through_service",
                "_selected_action": [upload.pk, avatar.pk],
            },
            follow=True,
        )

    assert 'value="delete_selected"' not in listing  # no bare row deletes
    assert "Avatars and logos are replaced or removed by their owner" in done.content.decode()
    assert list(Upload.objects.values_list("pk", flat=True)) == [avatar.pk]
    assert not default_storage.exists(upload.key)
    event = AuditEvent.objects.get(tenant=acme, action="file.deleted")
    assert event.actor == staff and event.target_label == "Report.pdf"


def test_the_uploads_list_names_each_file_s_workspace_and_uploader(
    client: Client, acme: Any, owner: Any
) -> None:
    services.upload_create(
        tenant=acme,
        uploaded_by=owner,
        file=ContentFile(b"%PDF-1.7 hello", name="Report.pdf"),
        extension="pdf",
        content_type="application/pdf",
    )
    client.force_login(staff_with("uploads.view_upload"))

    listing = client.get("/admin/uploads/upload/").content.decode()

    assert 'class="sortable column-tenant"' in listing
    assert 'class="sortable column-uploaded_by"' in listing
    assert f'<td class="field-tenant nowrap">{acme.name}</td>' in listing
    assert f'<td class="field-uploaded_by nowrap">{owner.email}</td>' in listing
