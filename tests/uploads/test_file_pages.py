"""The files page shows the newest 50 files a page; the count and total size above the
list are the whole workspace's, and deleting from a later page comes back to it."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from tests.config.test_page_queries import _files
from uploads.models import Upload
from uploads.views import PAGE_SIZE

pytestmark = pytest.mark.django_db
ROW = re.compile(r'action="/t/[^"]+/files/(\d+)/delete/"')


def _newest_first(acme: Any) -> list[int]:
    return list(
        Upload.objects.filter(tenant=acme, kind=Upload.Kind.FILE)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)
    )


def test_each_file_is_on_exactly_one_page_and_the_totals_count_them_all(
    owner_client: Any, acme: Any, owner: Any
) -> None:
    _files(acme, owner, PAGE_SIZE + 5)  # sizes 1,000 … 1,054 bytes: 56,485 in all
    url = f"/t/{acme.slug}/files/"

    first = owner_client.get(url).content.decode()
    second = owner_client.get(f"{url}?page=2").content.decode()

    rows = [int(pk) for html in (first, second) for pk in ROW.findall(html)]
    assert rows == _newest_first(acme)
    assert len(ROW.findall(first)) == PAGE_SIZE
    for html in (first, second):
        assert "55 files · 55.2\xa0KB in total." in html
    assert "Page 2 of 2 · 55 files" in second
    assert f'href="{url}?page=1" rel="prev"' in second and 'rel="next"' not in second


def test_a_workspace_with_one_page_of_files_shows_no_page_links(
    owner_client: Any, acme: Any, owner: Any
) -> None:
    _files(acme, owner, 3)
    html = owner_client.get(f"/t/{acme.slug}/files/").content.decode()
    assert len(ROW.findall(html)) == 3 and "3 files · 2.9\xa0KB in total." in html
    assert 'data-testid="files-pagination"' not in html


@pytest.mark.parametrize(("sent", "location"), [("2", "?page=2"), ("", ""), ("2x", "")])
def test_deleting_without_javascript_returns_to_the_files_page_it_was_on(
    owner_client: Any, acme: Any, owner: Any, sent: str, location: str
) -> None:
    _files(acme, owner, PAGE_SIZE + 5)
    oldest = _newest_first(acme)[-1]
    html = owner_client.get(f"/t/{acme.slug}/files/?page=2").content.decode()
    delete_form = re.search(rf'action="/t/[^"]+/files/{oldest}/delete/".*?</form>', html, re.S)
    assert delete_form and 'name="page" value="2"' in delete_form.group(0)

    response = owner_client.post(f"/t/{acme.slug}/files/{oldest}/delete/", {"page": sent})

    assert response.status_code == 302
    assert response["Location"] == f"/t/{acme.slug}/files/{location}"
    assert not Upload.objects.filter(pk=oldest).exists()


def test_a_refused_upload_pages_to_the_files_list_not_the_uploads_address(
    owner_client: Any, acme: Any, owner: Any
) -> None:
    """The refusal is shown at /files/upload/, where "?page=2" led back to page 1."""
    _files(acme, owner, PAGE_SIZE + 1)

    refused = owner_client.post(f"/t/{acme.slug}/files/upload/", {})

    assert refused.status_code == 400
    html = refused.content.decode()
    assert f'href="/t/{acme.slug}/files/?page=2" rel="next"' in html
    older = owner_client.get(f"/t/{acme.slug}/files/?page=2").content.decode()
    assert "Page 2 of 2" in older


def test_the_upload_card_says_what_the_plans_storage_cap_leaves(
    billing_on: Any, owner_client: Any, acme: Any, owner: Any
) -> None:
    """The walk learnt that a downgrade had left the workspace over its storage cap only
    from a refused upload: the card says it before anyone tries."""
    _files(acme, owner, 2)  # 1,000 and 1,001 bytes
    url = f"/t/{acme.slug}/files/"

    under = owner_client.get(url).content.decode()
    Upload.objects.filter(tenant=acme).update(size=60 * 1024 * 1024)
    over = owner_client.get(url).content.decode()

    assert "2.0\xa0KB of the Free plan's 100\xa0MB used." in under
    assert "120.0\xa0MB stored: the Free plan's 100\xa0MB are used up." in over
    assert (
        'data-testid="files-storage"'
        not in owner_client.get(url.replace("files", "")).content.decode()
    )


def test_a_plan_without_a_storage_cap_is_not_mentioned(
    billing_on: Any, owner_client: Any, acme: Any
) -> None:
    plans = copy.deepcopy(billing_on.BILLING_PLANS)
    plans["free"]["max_storage_mb"] = None
    billing_on.BILLING_PLANS = plans
    assert (
        'data-testid="files-storage"'
        not in owner_client.get(f"/t/{acme.slug}/files/").content.decode()
    )
