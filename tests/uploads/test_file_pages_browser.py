"""In a real browser, at desktop and phone width: a workspace with more files than fit a
page pages through them, and deleting one on a later page comes back to that page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.config.pagecheck import PageWatch
from tests.config.test_page_queries import _files
from tests.core.browser import dialog, sign_in
from uploads.models import Upload
from uploads.views import PAGE_SIZE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_paging_through_files_and_deleting_one_on_the_second_page(
    page: Any, owner: Any, acme: Any, width: int
) -> None:
    _files(acme, owner, PAGE_SIZE + 5)
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, owner.email)
    files = f"/t/{acme.slug}/files/"
    rows = page.locator("tbody tr")

    assert watch.check(files) == []
    assert rows.count() == PAGE_SIZE
    pages = page.get_by_test_id("files-pagination")
    assert "Page 1 of 2 · 55 files" in pages.inner_text()
    pages.get_by_role("link", name="Older").click()
    page.wait_for_url(f"**{files}?page=2")
    assert rows.count() == 5
    assert watch.check(page.url) == []

    rows.first.get_by_role("button", name="Delete").click()
    dialog(page).get_by_role("button", name="Delete file").click()

    page.get_by_text("Deleted report-").wait_for()
    assert page.url.endswith(f"{files}?page=2")
    assert rows.count() == 4
    assert Upload.objects.filter(tenant=acme).count() == PAGE_SIZE + 4
