"""In a real browser, on a phone: the walk on Free (100 MB) with four files of 24 MB
chose a fifth of 24 MB, sent all of it, and only then heard that it did not fit, with
the file gone from the field and "upgrade your plan" no link. The page says the room
left on the file input (tests/uploads/test_storage_room.py): the file is refused the
moment it is chosen, in the server's words, with the way to a bigger plan, and
nothing is sent."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.config.pagecheck import PageWatch
from tests.config.test_page_queries import _files
from tests.core.browser import sign_in
from uploads.models import Upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MB = 1024 * 1024


@pytest.mark.parametrize("width", [360, 1280], ids=["phone", "desktop"])
def test_a_file_past_the_room_left_is_refused_on_choice_and_nothing_is_sent(
    page: Any, billing_on: Any, owner: Any, acme: Any, width: int, tmp_path: Any
) -> None:
    _files(acme, owner, 4)
    Upload.objects.filter(tenant=acme).update(size=24 * MB)  # 96 MB of Free's 100
    fifth = tmp_path / "report.pdf"
    fifth.write_bytes(b"%PDF-" + b"0" * (24 * MB - 5))
    page.set_viewport_size({"width": width, "height": 800})
    watch = PageWatch.attach(page)
    sign_in(page, owner.email)
    files = f"/t/{acme.slug}/files/"
    assert watch.check(files) == []
    sent: list[str] = []
    page.on("request", lambda request: request.method == "POST" and sent.append(request.url))
    field = page.get_by_label("File", exact=True)

    field.set_input_files(str(fifth))

    error = page.locator("#id_file_error")
    expect(error).to_have_text(
        "“\u2068report.pdf\u2069”: This file is 24 MB; 4 MB of the Free plan's 100\xa0MB of "
        "storage is left. Delete files or upgrade your plan. See plans and upgrade"
    )
    expect(error).to_have_attribute("role", "alert")
    expect(error.get_by_role("link", name="See plans and upgrade")).to_have_attribute(
        "href", f"/t/{acme.slug}/billing/"
    )
    expect(field).to_have_attribute("aria-invalid", "true")
    assert field.input_value() == ""  # Upload cannot send it
    page.get_by_role("button", name="Upload").click()  # as most people would
    expect(field).to_be_focused()
    expect(error).to_contain_text("This file is 24 MB; 4 MB")
    assert not [url for url in sent if url.endswith(f"{files}upload/")], sent
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert watch.axe() == []

    field.set_input_files(
        [{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"x" * (3 * MB)}]
    )

    expect(error).to_have_count(0)  # 3 MB fits in the 4 MB left
    page.get_by_role("button", name="Upload").click()
    page.get_by_text("Uploaded \u2068notes.txt\u2069.").wait_for()
    assert Upload.objects.filter(tenant=acme).count() == 5
