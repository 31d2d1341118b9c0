"""People whose address is not verified cannot upload anything: files, avatars, logos
(nor have images processed for a preview)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.accounts.factories import UserFactory
from tests.tenants.factories import OrgFactory
from tests.uploads.conftest import make_image
from uploads.models import Upload

pytestmark = pytest.mark.django_db


def _png() -> SimpleUploadedFile:
    return SimpleUploadedFile("me.png", make_image("PNG", (300, 200)), content_type="image/png")


def test_unverified_user_cannot_upload(client: Client, counting_storage: Any) -> None:
    person = UserFactory(unverified=True)
    org = OrgFactory(owner=person)
    client.force_login(person)
    attempts = {
        "file": (
            reverse("files:upload", args=[org.slug]),
            {"file": SimpleUploadedFile("a.txt", b"hi")},
        ),
        "avatar": (reverse("avatar:update"), {"image": _png()}),
        "avatar preview": (reverse("avatar:preview"), {"image": _png()}),
        "logo": (reverse("files:logo", args=[org.slug]), {"image": _png()}),
        "logo preview": (reverse("files:logo-preview", args=[org.slug]), {"image": _png()}),
    }

    for what, (url, data) in attempts.items():
        response = client.post(url, data, HTTP_REFERER=f"http://testserver/t/{org.slug}/files/")
        assert response.status_code == 403, what
        page = response.content.decode()
        assert "Confirm your email address first" in page and "Send me a new link" in page
        assert f'name="next" value="http://testserver/t/{org.slug}/files/"' in page

    assert not Upload.objects.exists()
    assert counting_storage.listdir("") == ([], [])  # nothing stored
    person.refresh_from_db()
    org.refresh_from_db()
    assert person.avatar == "" and org.logo == ""
