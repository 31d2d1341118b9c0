"""The plan's storage cap on the files page, through the test client: the walk (Free,
100 MB, four files of 24 MB) chose a fifth and learnt only after sending all of it that
it did not fit, in words naming neither its size nor the room left, with "upgrade your
plan" not a link. The page now says the room on the file input, so the browser refuses
the file first (test_storage_room_browser.py), in the words the server refuses it with."""

from __future__ import annotations

import html
from html import unescape
from html.parser import HTMLParser
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


class _FileInput(HTMLParser):
    """The attributes of the page's file input."""

    def __init__(self) -> None:
        super().__init__()
        self.attrs: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "input" and ("type", "file") in attrs:
            self.attrs = dict(attrs)


def _file_input(client: Any, acme: Any) -> dict[str, str | None]:
    response = client.get(f"/t/{acme.slug}/files/")
    assert response.status_code == 200
    parser = _FileInput()
    parser.feed(response.content.decode())
    assert parser.attrs, "the page has a file input"
    return parser.attrs


def _as_the_script_fills_in(words: str | None, *, name: str, size: str) -> str:
    """static/src/js/file-size.js: the name and the size in MB go into the slots."""
    assert words is not None
    return words.replace("{name}", name).replace("{size}", size)


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


def test_the_page_gives_the_browser_the_room_left_and_the_servers_own_words(
    billing_on: Any, owner_client: Any, owner: Any, acme: Any
) -> None:
    _four_files_of_24_mb(acme, owner)

    said = _file_input(owner_client, acme)
    sent = owner_client.post(
        f"/t/{acme.slug}/files/upload/",
        {"file": SimpleUploadedFile("report.pdf", b"%PDF-" + b"x" * (5 * MB - 5))},
    )

    assert said["data-room-bytes"] == str(4 * MB)
    assert said["data-max-bytes"] == str(25 * MB), "beside the per-file cap"
    in_the_browser = _as_the_script_fills_in(said["data-no-room"], name="report.pdf", size="5")
    assert _refusal_of(sent).startswith(in_the_browser + " <a "), "the same words"
    assert said["data-upgrade-url"] == f"/t/{acme.slug}/billing/"
    assert said["data-upgrade-label"] == "See plans and upgrade"


def test_the_hint_under_the_input_says_the_room_left_when_it_is_less_than_a_file_may_be(
    billing_on: Any, owner_client: Any, owner: Any, acme: Any
) -> None:
    """It said "Up to 25 MB" with 4 MB left (the walk)."""
    _four_files_of_24_mb(acme, owner)

    page = html.unescape(owner_client.get(f"/t/{acme.slug}/files/").content.decode())
    page = " ".join(page.split())

    # (split() takes the no-break space in "100 MB" too)
    assert "Up to 4 MB: what is left of the Free plan's 100 MB of storage." in page
    assert "Up to 25" not in page


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


def test_someone_who_cannot_buy_a_plan_is_told_whom_to_ask_with_no_link(
    billing_on: Any, client: Any, owner: Any, acme: Any, admin_of_acme: Any
) -> None:
    """An admin may upload files but not manage billing, whose page would refuse them."""
    _four_files_of_24_mb(acme, owner)
    client.force_login(admin_of_acme)

    said = _file_input(client, acme)
    response = client.post(
        f"/t/{acme.slug}/files/upload/",
        {"file": SimpleUploadedFile("report.pdf", b"%PDF-" + b"x" * (5 * MB - 5))},
    )

    assert _refusal_of(response) == (
        "“\u2068report.pdf\u2069”: This file is 5 MB; 4 MB of the Free plan's 100\xa0MB of "
        "storage is left. Delete files, or ask an owner or billing admin to upgrade."
    )
    assert said["data-no-room"] is not None
    assert said["data-no-room"].endswith(
        "Delete files, or ask an owner or billing admin to upgrade."
    )
    assert "data-upgrade-url" not in said


def test_without_billing_the_free_cap_still_holds_and_the_words_say_to_make_room(
    owner_client: Any, owner: Any, acme: Any
) -> None:
    """Billing off puts every workspace on Free, whose cap the server enforces: the
    browser checks the same room, with nothing to buy."""
    _four_files_of_24_mb(acme, owner)

    said = _file_input(owner_client, acme)

    assert said["data-room-bytes"] == str(4 * MB)
    assert _as_the_script_fills_in(said["data-no-room"], name="a.pdf", size="5") == (
        "“\u2068a.pdf\u2069”: This file is 5 MB; 4 MB of the Free plan's 100\xa0MB of storage "
        "is left. Delete files to make room."
    )
    assert "data-upgrade-url" not in said


def test_a_plan_without_a_storage_cap_gives_the_browser_no_room_to_check(
    settings: Any, owner_client: Any, owner: Any, acme: Any
) -> None:
    settings.BILLING_PLANS = {
        **settings.BILLING_PLANS,
        "free": {**settings.BILLING_PLANS["free"], "max_storage_mb": None},
    }
    _four_files_of_24_mb(acme, owner)

    said = _file_input(owner_client, acme)

    assert "data-room-bytes" not in said and "data-no-room" not in said
    assert said["data-max-bytes"] == str(25 * MB), "the per-file cap is still said"


def test_german_readers_get_the_refusal_in_german_on_the_page_and_from_the_server(
    billing_on: Any, owner_client: Any, owner: Any, acme: Any
) -> None:
    type(owner).objects.filter(pk=owner.pk).update(language="de")
    _four_files_of_24_mb(acme, owner)

    said = _file_input(owner_client, acme)
    response = owner_client.post(
        f"/t/{acme.slug}/files/upload/",
        {"file": SimpleUploadedFile("bericht.pdf", b"%PDF-" + b"x" * (5 * MB - 5))},
    )

    refusal = _refusal_of(response)
    assert "Diese Datei ist 5 MB groß" in refusal
    in_the_browser = _as_the_script_fills_in(said["data-no-room"], name="bericht.pdf", size="5")
    assert refusal.startswith(in_the_browser + " <a ")
    assert said["data-upgrade-label"] == "Tarife ansehen und upgraden"
