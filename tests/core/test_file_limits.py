"""Every file input says the size limit its server enforces (data-max-bytes, from the same
setting), with the refusal in the reader's language, so the browser can refuse a bigger
file before sending it (static/src/js/file-size.js); and the SAML form's 413 names its
limit."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


class _FileInputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "input" and ("type", "file") in attrs:
            self.found.append(dict(attrs))


def file_input(html: str) -> dict[str, str | None]:
    """The page's one file input, its attributes by name."""
    parser = _FileInputs()
    parser.feed(html)
    assert len(parser.found) == 1, parser.found
    return parser.found[0]


def test_the_files_page_input_carries_the_file_limit(
    owner_client: Any, acme: Any, settings: Any
) -> None:
    settings.UPLOADS_FILE_MAX_BYTES = 3 * MB // 2

    attrs = file_input(owner_client.get(f"/t/{acme.slug}/files/").content.decode())

    assert attrs["data-max-bytes"] == str(3 * MB // 2)
    assert (
        attrs["data-too-large"]
        == "“\u2068{name}\u2069”: This file is {size} MB; the limit is 1.5 MB."
    )
    assert attrs["data-decimal-separator"] == "."


def test_the_refusal_is_written_in_the_readers_language_and_numbers(
    owner_client: Any, owner: Any, acme: Any, settings: Any
) -> None:
    settings.UPLOADS_FILE_MAX_BYTES = 3 * MB // 2
    type(owner).objects.filter(pk=owner.pk).update(language="de")

    attrs = file_input(owner_client.get(f"/t/{acme.slug}/files/").content.decode())

    assert attrs["data-too-large"] == (
        "„\u2068{name}\u2069“: Diese Datei ist {size} MB groß; das Limit ist 1,5 MB."
    )
    assert attrs["data-decimal-separator"] == ","


def test_the_avatar_and_logo_inputs_carry_the_image_limit(
    owner_client: Any, acme: Any, settings: Any
) -> None:
    settings.UPLOADS_IMAGE_MAX_BYTES = 2 * MB

    profile = owner_client.get(reverse("accounts:profile")).content.decode()
    workspace = owner_client.get(f"/t/{acme.slug}/settings/").content.decode()

    for html in (profile, workspace):
        attrs = file_input(html)
        assert attrs["data-max-bytes"] == str(2 * MB)
        assert (
            attrs["data-too-large"]
            == "“\u2068{name}\u2069”: This file is {size} MB; the limit is 2 MB."
        )
        # The help text aria-describedby names is there (the refusal goes after it).
        assert attrs["aria-describedby"] == "id_image_helptext"
        assert '<p class="help" id="id_image_helptext">PNG, JPEG' in html


def test_the_saml_metadata_input_carries_the_metadata_limit_and_says_it(
    owner_client: Any, acme: Any, settings: Any
) -> None:
    settings.SSO_METADATA_MAX_BYTES = 2 * MB
    url = reverse("sso_settings:connection", kwargs={"tenant_slug": acme.slug})

    html = owner_client.get(url).content.decode()

    attrs = file_input(html)
    assert attrs["data-max-bytes"] == str(2 * MB)
    assert (
        attrs["data-too-large"]
        == "“\u2068{name}\u2069”: This file is {size} MB; the limit is 2 MB."
    )
    assert "Federation Metadata XML”). Up to 2 MB." in html


def test_a_saml_form_too_large_to_read_gets_413_naming_the_limit(
    owner_client: Any, acme: Any, settings: Any
) -> None:
    """Before: Django's general 2.5 MB, and a page that could not say what fits."""
    from django.test.client import BOUNDARY, encode_multipart

    settings.SSO_METADATA_MAX_BYTES = 2 * MB
    url = reverse("sso_settings:connection-saml-save", kwargs={"tenant_slug": acme.slug})

    response = owner_client.post(
        url,
        data=encode_multipart(BOUNDARY, {"attr_groups": "memberOf"}),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(3 * MB),  # only claimed: nothing reads that much
    )

    assert response.status_code == 413
    assert "Files sent here can be at most 2 MB." in response.content.decode()


def test_the_413_page_writes_its_limit_in_the_readers_numbers(
    owner_client: Any, owner: Any, acme: Any, settings: Any
) -> None:
    """It wrote "1.5" on a German page, where the fields' own limits say "1,5"."""
    from django.test.client import BOUNDARY, encode_multipart

    owner.language = "de"
    owner.save(update_fields=["language"])
    settings.SSO_METADATA_MAX_BYTES = 3 * MB // 2
    url = reverse("sso_settings:connection-saml-save", kwargs={"tenant_slug": acme.slug})

    response = owner_client.post(
        url,
        data=encode_multipart(BOUNDARY, {"attr_groups": "memberOf"}),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(3 * MB),
    )

    assert response.status_code == 413
    assert "1,5 MB" in response.content.decode()
