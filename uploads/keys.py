"""Storage keys: `tenant-<tenant_id>/<nanoid21>.<ext>`, built and checked in one place.

Every object lives in its tenant's folder under a fresh random name, so a
changed file always gets a new URL and no cache can serve stale content. The
same patterns validate `/serve` route parameters before any storage call.
"""

from __future__ import annotations

import re

from django.urls import reverse
from nanoid import generate

from core.links import link
from uploads.exceptions import InvalidUploadKey

NAME_LENGTH = 21
# nanoid's default URL-safe alphabet. No dots, slashes or backslashes can occur.
_FOLDER_RE = re.compile(r"tenant-[1-9][0-9]{0,18}", re.ASCII)
_FILENAME_RE = re.compile(rf"[A-Za-z0-9_-]{{{NAME_LENGTH}}}\.[a-z0-9]{{1,10}}", re.ASCII)
_EXTENSION_RE = re.compile(r"[a-z0-9]{1,10}", re.ASCII)


def upload_key_build(*, tenant_id: int, extension: str) -> str:
    """A new, unique key inside the tenant's folder; refuses anything but the expected shape."""
    if isinstance(tenant_id, bool) or not isinstance(tenant_id, int) or tenant_id < 1:
        raise InvalidUploadKey(f"Invalid tenant id for a storage key: {tenant_id!r}.")
    if not isinstance(extension, str) or not _EXTENSION_RE.fullmatch(extension):
        raise InvalidUploadKey(f"Invalid extension for a storage key: {extension!r}.")
    key = f"tenant-{tenant_id}/{generate(size=NAME_LENGTH)}.{extension}"
    upload_key_validate(key)
    return key


def upload_key_validate(key: str) -> str:
    """Return `key` when it has exactly the shape we build; raise InvalidUploadKey otherwise."""
    folder, _, filename = key.partition("/") if isinstance(key, str) else ("", "", "")
    if not is_valid_route(folder=folder, filename=filename):
        raise InvalidUploadKey(f"Not an upload key: {key!r}.")
    return key


def is_valid_route(*, folder: str, filename: str) -> bool:
    """True for a `tenant-<id>` folder and a `<nanoid21>.<ext>` name, nothing else.

    `fullmatch` with ASCII classes: no trailing newline, NUL, backslash, percent
    sign, dot segment or Unicode digit can get through.
    """
    return bool(_FOLDER_RE.fullmatch(folder)) and bool(_FILENAME_RE.fullmatch(filename))


def upload_url(key: str) -> str:
    """Where `/serve/` answers for a key we built (avatars, logos and files link here).
    Keys of our shape through core.links (a join; reverse() was ~30 µs per avatar on
    pages that list people); anything else through reverse(), which quotes."""
    folder, _, filename = key.partition("/")
    if is_valid_route(folder=folder, filename=filename):
        return link("uploads:serve", folder, filename)
    return reverse("uploads:serve", kwargs={"folder": folder, "filename": filename})
