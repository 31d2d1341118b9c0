"""Fixtures for uploads: images built in memory, and the same tests over both storages."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image

from tests.uploads.counting_storage import CountingFileSystemStorage


def make_image(
    fmt: str, size: tuple[int, int] = (800, 600), mode: str = "RGB", **save: Any
) -> bytes:
    """A real image of `size` with a left half red and right half blue (to see crops)."""
    img = Image.new(mode, size, "red" if mode != "P" else 1)
    if mode in ("RGB", "RGBA"):
        img.paste("blue", (size[0] // 2, 0, size[0], size[1]))
    buffer = io.BytesIO()
    img.save(buffer, format=fmt, **save)
    return buffer.getvalue()


@pytest.fixture
def image_bytes() -> Callable[..., bytes]:
    return make_image


@pytest.fixture(params=["filesystem", "s3"])
def any_storage(request: pytest.FixtureRequest, settings: Any, tmp_path: Any) -> Any:
    """Run the test once on FileSystemStorage (a fresh directory) and once on S3 (moto
    over HTTP, emptied after the test)."""
    from django.core.files.storage import storages

    if request.param == "s3":
        return request.getfixturevalue("s3_storage")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    (tmp_path / "media").mkdir()
    return storages["default"]


@pytest.fixture
def counting_storage(settings: Any, tmp_path: Any) -> CountingFileSystemStorage:
    """A real FileSystemStorage that counts every call that touches the disk."""
    from django.core.files.storage import storages

    CountingFileSystemStorage.calls.clear()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "tests.uploads.counting_storage.CountingFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return storages["default"]
