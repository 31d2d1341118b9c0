"""In a real browser, at desktop and phone width: a workspace with more files than fit a
page pages through them, and deleting one on a later page comes back to that page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

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

    page.get_by_text("Deleted \u2068report-").wait_for()
    assert page.url.endswith(f"{files}?page=2")
    assert rows.count() == 4
    assert Upload.objects.filter(tenant=acme).count() == PAGE_SIZE + 4


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_a_refused_upload_names_the_file_in_the_readers_language(
    page: Any, owner: Any, acme: Any, width: int
) -> None:
    """The browser empties the file field after the post: the error says which file."""
    type(owner).objects.filter(pk=owner.pk).update(language="de")
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, owner.email)
    page.goto(f"/t/{acme.slug}/files/")
    exe = {"name": "Rechnung März.exe", "mimeType": "application/octet-stream", "buffer": b"MZ"}
    page.set_input_files("input[type=file]", files=[exe])
    page.get_by_role("button", name="Hochladen").click()

    error = page.locator(".field-error")
    expect(error).to_contain_text(
        "„\u2068Rechnung März.exe\u2069“: Dateien dieses Typs können nicht"
    )
    assert page.locator("input[type=file]").input_value() == ""  # why the name is said
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert not Upload.objects.exists()


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_after_a_refused_upload_older_still_leads_to_the_second_page(
    page: Any, owner: Any, acme: Any, width: int
) -> None:
    """The refusal is shown at /files/upload/, where the pager's "?page=2" led back to
    page 1 (by a redirect), so the walk could not reach its older files."""
    _files(acme, owner, PAGE_SIZE + 5)
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, owner.email, then=f"/t/{acme.slug}/files/")
    exe = {"name": "setup.exe", "mimeType": "application/octet-stream", "buffer": b"MZ"}
    page.set_input_files("input[type=file]", files=[exe])
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".field-error")).to_contain_text("setup.exe")

    page.get_by_test_id("files-pagination").get_by_role("link", name="Older").click()

    page.wait_for_url(f"**/t/{acme.slug}/files/?page=2")
    expect(page.get_by_test_id("files-pagination")).to_contain_text("Page 2 of 2")
    assert page.locator("tbody tr").count() == 5


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_the_upload_card_says_the_storage_cap_is_used_up_before_an_upload_is_refused(
    page: Any, owner: Any, acme: Any, width: int
) -> None:
    _files(acme, owner, 2)
    Upload.objects.filter(tenant=acme).update(size=60 * 1024 * 1024)  # 120 MB of Free's 100
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, owner.email)

    assert watch.check(f"/t/{acme.slug}/files/") == []
    expect(page.get_by_test_id("files-storage")).to_have_text(
        "120.0\xa0MB stored: the Free plan's 100\xa0MB are used up. Delete files to upload more."
    )


@pytest.fixture
def page_without_javascript(_browser: Any, live_server: Any) -> Iterator[Any]:
    context = _browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_a_file_too_large_to_send_leads_back_to_the_files(
    page_without_javascript: Any, owner: Any, acme: Any, width: int, settings: Any
) -> None:
    """Without JavaScript (with it the browser refuses the file before sending it, below)
    the file is refused before it is read (413): the page offers the way back to the
    form, not only the home page."""
    page = page_without_javascript
    settings.UPLOADS_FILE_MAX_BYTES = 1024
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, owner.email, then=f"/t/{acme.slug}/files/")
    big = {"name": "plan.pdf", "mimeType": "application/pdf", "buffer": b"%PDF" + b"0" * 200_000}
    page.set_input_files("input[type=file]", files=[big])
    page.get_by_role("button", name="Upload").click()
    page.get_by_role("heading", name="This upload is too large").wait_for()

    page.get_by_test_id("too-large-back").click()

    page.wait_for_url(f"**/t/{acme.slug}/files/")
    expect(page.locator("input[type=file]")).to_be_visible()
    assert not Upload.objects.exists()


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_a_file_over_the_limit_is_refused_before_it_is_sent(
    page: Any, owner: Any, acme: Any, width: int, settings: Any
) -> None:
    """The browser knows the limit (data-max-bytes): choosing a bigger file says so beside
    the field at once, sends nothing, and a file that fits then uploads as usual."""
    settings.UPLOADS_FILE_MAX_BYTES = 100 * 1024
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, owner.email)
    assert watch.check(f"/t/{acme.slug}/files/") == []
    posts: list[str] = []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.url))
    field = page.get_by_label("File", exact=True)
    name = "quarterly-figures-for-the-board-of-directors-2026-final.txt"

    field.set_input_files([{"name": name, "mimeType": "text/plain", "buffer": b"x" * 300_000}])

    error = page.locator("#id_file_error")
    expect(error).to_have_text(f"“\u2068{name}\u2069”: This file is 0.3 MB; the limit is 0.1 MB.")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", "id_file_helptext id_file_error")
    assert field.input_value() == ""  # Upload cannot send it
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert watch.axe() == []

    field.set_input_files([{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"fits"}])

    expect(error).to_have_count(0)
    expect(field).not_to_have_attribute("aria-invalid", "true")
    assert posts == [] and not Upload.objects.exists()
    page.get_by_role("button", name="Upload").click()
    page.get_by_text("Uploaded \u2068notes.txt\u2069.").wait_for()
    assert list(Upload.objects.values_list("original_filename", flat=True)) == ["notes.txt"]


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_pressing_upload_after_a_refused_file_keeps_the_reason(
    page: Any, owner: Any, acme: Any, width: int, settings: Any
) -> None:
    """A walk found the size refusal replaced by "Choose a file to upload." once Upload
    was pressed (as most people would): the empty form went to the server. It is not
    sent; the reason stays and the field gets the focus."""
    settings.UPLOADS_FILE_MAX_BYTES = 100 * 1024
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, owner.email, then=f"/t/{acme.slug}/files/")
    posts: list[str] = []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.url))
    field = page.get_by_label("File", exact=True)
    field.set_input_files(
        [{"name": "big.pdf", "mimeType": "application/pdf", "buffer": b"x" * 300_000}]
    )

    page.get_by_role("button", name="Upload").click()

    error = page.locator("#id_file_error")
    expect(error).to_have_text("“\u2068big.pdf\u2069”: This file is 0.3 MB; the limit is 0.1 MB.")
    expect(field).to_be_focused()
    expect(page.get_by_text("Choose a file to upload.")).to_have_count(0)
    assert posts == [] and not Upload.objects.exists()


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_a_member_who_cannot_upload_is_told_why_there_is_no_upload_box(
    page: Any, owner: Any, acme: Any, member_of_acme: Any, width: int
) -> None:
    """The walk: a member saw the files and no upload box, and nothing said why."""
    _files(acme, owner, 2)
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, member_of_acme.email)

    assert watch.check(f"/t/{acme.slug}/files/") == []

    expect(page.get_by_test_id("files-read-only")).to_contain_text(
        "“Upload and delete files” permission"
    )
    expect(page.get_by_role("button", name="Upload")).to_have_count(0)
    expect(page.locator("tbody tr")).to_have_count(2)


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_a_file_sent_with_an_api_key_names_the_key_not_a_former_member(
    page: Any, owner: Any, acme: Any, width: int
) -> None:
    """A walk uploaded with its key and the files page (and the overview) said "Former
    member" while the key's maker was still the owner; the audit log named the key."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from tests.api.conftest import make_key

    key = make_key(acme, owner, name="CLI test")
    sent = Client().post(
        "/api/v1/files",
        {"file": SimpleUploadedFile("data.csv", b"a,b\n1,2\n", "text/csv")},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert sent.status_code == 201, sent.content
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, owner.email)

    assert watch.check(f"/t/{acme.slug}/files/") == []
    row = page.locator("tbody tr", has_text="data.csv")
    expect(row.get_by_test_id("file-uploader-label")).to_have_text("API key CLI test")
    expect(row).not_to_contain_text("Former member")
    page.goto(f"/t/{acme.slug}/")
    recent = page.get_by_test_id("recent-files").locator("li", has_text="data.csv")
    expect(recent).to_contain_text("API key CLI test")
    expect(recent).not_to_contain_text("Former member")


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_a_second_file_of_one_name_is_kept_and_said(
    page: Any, owner: Any, acme: Any, width: int
) -> None:
    """A walk uploaded notes.txt twice and found two rows of one name without a word."""
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, owner.email)
    files = f"/t/{acme.slug}/files/"
    assert watch.check(files) == []
    field = page.get_by_label("File", exact=True)

    field.set_input_files([{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"one"}])
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("Uploaded \u2068notes.txt\u2069.", exact=True)).to_be_visible()
    field.set_input_files([{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"second"}])
    page.get_by_role("button", name="Upload").click()

    expect(
        page.get_by_text(
            "Uploaded \u2068notes.txt\u2069. A file of that name was already here: both are "
            "kept, the new one listed first."
        )
    ).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("6\xa0bytes")  # the new one, listed first
    expect(rows.last).to_contain_text("3\xa0bytes")
    newest_first = Upload.objects.order_by("-created_at", "-pk")
    assert [(u.original_filename, u.size) for u in newest_first] == [
        ("notes.txt", 6),
        ("notes.txt", 3),
    ]
    assert watch.check(page.url) == []
