from __future__ import annotations

import pytest
from django.urls import reverse

from uploads.exceptions import InvalidUploadKey
from uploads.keys import is_valid_route, upload_key_build, upload_key_validate, upload_url


def test_keys_live_in_the_tenant_folder_with_a_21_char_name():
    key = upload_key_build(tenant_id=42, extension="png")
    folder, name = key.split("/")
    assert folder == "tenant-42"
    stem, ext = name.split(".")
    assert len(stem) == 21 and ext == "png"
    assert upload_key_validate(key) == key


def test_every_key_is_new():
    assert len({upload_key_build(tenant_id=1, extension="png") for _ in range(200)}) == 200


@pytest.mark.parametrize(
    ("tenant_id", "extension"),
    [
        (0, "png"),
        (-1, "png"),
        ("1", "png"),
        (True, "png"),
        (1, "../x"),
        (1, "PNG"),
        (1, ""),
        (1, "p/g"),
        (1, "abcdefghijk"),
        (1, "png\n"),
    ],
)
def test_build_refuses_anything_but_the_expected_shape(tenant_id, extension):
    with pytest.raises(InvalidUploadKey):
        upload_key_build(tenant_id=tenant_id, extension=extension)


@pytest.mark.parametrize(
    "key",
    [
        "tenant-1/../tenant-2/aaaaaaaaaaaaaaaaaaaaa.png",
        "tenant-1/aaaaaaaaaaaaaaaaaaaaa.png/",
        "tenant-01/aaaaaaaaaaaaaaaaaaaaa.png",
        "tenant-1/aaaaaaaaaaaaaaaaaaaaa.png\n",
        "tenant-1/aaaaaaaaaaaaaaaaaaaa.png",
        "tenant-1/aaaaaaaaaaaaaaaaaaaa\x00.png",
        "tenant-1\\aaaaaaaaaaaaaaaaaaaaa.png",
        "tenant-١/aaaaaaaaaaaaaaaaaaaaa.png",
        "/tenant-1/aaaaaaaaaaaaaaaaaaaaa.png",
        "other/aaaaaaaaaaaaaaaaaaaaa.png",
    ],
)
def test_validate_refuses_malformed_keys(key):
    with pytest.raises(InvalidUploadKey):
        upload_key_validate(key)


def test_route_check_accepts_only_folder_and_name():
    assert is_valid_route(folder="tenant-7", filename="A-b_c" + "d" * 16 + ".pdf")
    assert not is_valid_route(folder="tenant-7", filename="..")
    assert not is_valid_route(folder="..", filename="A" * 21 + ".pdf")


def test_the_link_to_a_built_key_is_what_reverse_answers() -> None:
    for extension in ("webp", "png", "pdf"):
        key = upload_key_build(tenant_id=42, extension=extension)
        folder, filename = key.split("/")
        assert upload_url(key) == reverse(
            "uploads:serve", kwargs={"folder": folder, "filename": filename}
        )


def test_a_key_of_another_shape_is_still_linked_and_quoted() -> None:
    assert upload_url("tenant-1/a b.png") == "/serve/tenant-1/a%20b.png"
