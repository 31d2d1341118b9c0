"""The plan's storage cap on the files page, through the test client: the walk (Free,
100 MB, four files of 24 MB) chose a fifth and learnt only after sending all of it that
it did not fit, in words naming neither its size nor the room left, with "upgrade your
plan" not a link."""

from __future__ import annotations

from html import unescape
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.config.test_page_queries import _files
from uploads.models import Upload

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def _four_files_of_24_mb(acme: Any, owner: Any) -> None:
    """96 MB stored (rows only: the page and the cap read the sizes, not the objects)."""
    _files(acme, owner, 4)
    Upload.objects.filter(tenant=acme).update(size=24 * MB)


def _refusal_of(response: Any) -> str:
    """The file field's error as the page shows it: its words, then any link's markup."""
    html = response.content.decode()
    start = html.index('id="id_file_error"')
    return unescape(html[html.index("<p>", start) + 3 : html.index("</p>", start)])


def test_a_file_past_the_room_left_is_refused_naming_its_size_the_room_and_the_way_out(
    billing_on: Any, owner_client: Any, owner: Any, acme: Any
) -> None:
    _four_files_of_24_mb(acme, owner)

    response = owner_client.post(
        f"/t/{acme.slug}/files/upload/",
        {"file": SimpleUploadedFile("report.pdf", b"%PDF-" + b"x" * (5 * MB - 5))},
    )

    assert response.status_code == 400
    refusal = _refusal_of(response)
    assert refusal.startswith(
        "“\u2068report.pdf\u2069”: This file is 5 MB; 4 MB of the Free plan's 100\xa0MB of "
        "storage is left. Delete files or upgrade your plan."
    )
    assert (
        f' <a class="font-semibold underline" href="/t/{acme.slug}/billing/">'
        "See plans and upgrade</a>" in refusal
    ), "the upgrade is a link, to the workspace's billing page"
    assert Upload.objects.filter(tenant=acme).count() == 4


def test_the_room_left_is_rounded_down_so_it_never_reads_as_much_as_the_file(
    billing_on: Any, owner_client: Any, owner: Any, acme: Any
) -> None:
    """4 MB less a byte left, a file of 4 MB: "4 MB; 4 MB is left" would be no reason."""
    _four_files_of_24_mb(acme, owner)
    Upload.objects.filter(pk=Upload.objects.first().pk).update(size=24 * MB + 1)

    response = owner_client.post(
        f"/t/{acme.slug}/files/upload/",
        {"file": SimpleUploadedFile("scan.pdf", b"%PDF-" + b"x" * (4 * MB - 5))},
    )

    assert (
        "This file is 4 MB; 3.9 MB of the Free plan's 100\xa0MB of storage is left."
        in _refusal_of(response)
    )
