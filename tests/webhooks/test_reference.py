"""The webhooks reference (/webhooks/reference/): what an organisation's developers need
to receive events, on a page they can open (the webhooks page used to name a file in
our repository). Public, in the reader's language, read from the code that sends:
every event type with its data, the retry schedule, the secret's overlap."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.utils.html import escape

from webhooks.events import EVENT_DATA, EVENT_TYPES

pytestmark = pytest.mark.django_db

URL = "/webhooks/reference/"


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_anyone_can_read_every_event_type_with_its_data() -> None:
    response = Client().get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    for kind, fields in EVENT_DATA.items():
        row = html.split(f'<tr id="{kind}">', 1)[1].split("</tr>", 1)[0]
        assert escape(str(EVENT_TYPES[kind])) in row and ", ".join(fields) in row
    assert "webhook-signature" in html and "Webhook(secret).verify" in html


def test_the_schedule_and_overlap_are_the_ones_in_force(settings: Any) -> None:
    settings.WEBHOOKS_ROTATION_OVERLAP_HOURS = 48

    page = text(Client().get(URL).content.decode())

    assert (
        "A failed attempt is tried again after 5 seconds, 5 minutes, 30 minutes, 2 hours, "
        "5 hours, then every 10 hours, until 3 days after the event." in page
    )
    assert "and one with the new for 2 days" in page
    assert "within 5 seconds" in page


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", "Ein fehlgeschlagener Versuch wird nach 5 Sekunden, 5 Minuten"),
        ("ar", "تُعاد المحاولة الفاشلة بعد 5 ثوانٍ، 5 دقائق،"),  # Arabic commas
    ],
)
def test_it_reads_in_the_reader_s_language(language: str, expected: str) -> None:
    page = text(Client().get(URL, HTTP_ACCEPT_LANGUAGE=language).content.decode())

    assert expected in page
    assert "A failed attempt" not in page


def test_the_webhooks_page_links_to_it_instead_of_a_repository_file(
    client: Any, acme: Any, owner: Any
) -> None:
    client.force_login(owner)
    html = client.get(f"/t/{acme.slug}/settings/webhooks/").content.decode()

    assert f'href="{URL}"' in html and "docs/webhooks.md" not in html


def test_it_says_what_pausing_and_a_refused_address_do() -> None:
    """A developer whose endpoint was paused, or whose DNS pointed inside a network,
    found neither on the page."""
    page = unescape(text(Client().get(URL).content.decode()))

    assert "events raised while it is paused are never sent to it" in page
    assert "Pausing does not count towards turning it off" in page
    assert "Webhooks are only sent to public internet addresses" in page
    assert "the organisation's owners are emailed at once" in page
