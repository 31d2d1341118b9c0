"""Access to the object store, only through Django's storage API.

`STORAGES["default"]` is django-storages' S3 backend when `S3_ENDPOINT` is set
(MinIO with path-style addressing, or AWS S3) and FileSystemStorage otherwise.
The one exception to "storage API only" is `storage_open_stream` on S3: the
S3 backend's `open()` downloads the whole object into memory before the first
byte is returned, so serving streams the object body from the backend's own
bucket handle instead.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeGuard, cast

from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.http import content_disposition_header

from uploads.exceptions import UploadStorageError
from uploads.keys import upload_key_validate

if TYPE_CHECKING:
    from storages.backends.s3 import S3Storage  # untyped: its attributes are Any

logger = logging.getLogger("uploads")

STREAM_CHUNK_SIZE = 64 * 1024


def upload_storage() -> Storage:
    """The storage every upload goes to (re-read after settings change in tests)."""
    return storages["default"]


def is_s3(storage: Storage) -> TypeGuard[S3Storage]:
    try:
        from storages.backends.s3 import S3Storage
    except ImportError:  # pragma: no cover - django-storages is a dependency
        return False
    return isinstance(storage, S3Storage)


def storage_save(*, key: str, content: File | ContentFile, content_type: str) -> None:
    """Write `content` under exactly `key`.

    Storages rename on collision; a nanoid collision is practically impossible,
    but if it happens the renamed object is removed and the upload fails rather
    than a row pointing at someone else's object.
    """
    upload_key_validate(key)
    storage = upload_storage()
    # S3Storage sends it as the object's ContentType; Django's File has no field for it.
    content.content_type = content_type  # type: ignore[union-attr]
    saved = storage.save(key, content)
    if saved != key:
        storage_delete_quietly(key=saved)
        raise UploadStorageError(f"Storage stored {key!r} as {saved!r}.")


def storage_delete_quietly(*, key: str) -> bool:
    """Best-effort delete, used after commit: a failure is logged and the object is
    left for `manage.py cleanup_orphan_uploads`."""
    try:
        upload_storage().delete(key)
    except Exception:  # noqa: BLE001 - any backend/network error; the orphan sweep retries
        logger.warning("Could not delete %s from storage; left for cleanup.", key, exc_info=True)
        return False
    return True


def storage_open_stream(*, key: str) -> tuple[IO[bytes] | Iterator[bytes], Any]:
    """Open an object for streaming: (file-like or chunk iterator, closer)."""
    upload_key_validate(key)
    storage = upload_storage()
    if is_s3(storage):
        # S3File buffers the whole object; the body stream does not (see module docstring).
        name = storage._normalize_name(key)  # noqa: SLF001 - applies the storage's location
        body = storage.bucket.Object(name).get()["Body"]
        return body.iter_chunks(STREAM_CHUNK_SIZE), body
    fh = storage.open(key, "rb")
    return fh, fh


def storage_presigned_url(*, key: str, expire: int, filename: str, content_type: str) -> str:
    """A short-lived S3 URL that makes S3 send the same safety headers we would."""
    upload_key_validate(key)
    storage = upload_storage()
    if not is_s3(storage):
        raise UploadStorageError("Presigned URLs need the S3 storage.")
    return storage.url(
        key,
        parameters={
            "ResponseContentType": content_type,
            "ResponseContentDisposition": content_disposition_header(True, filename),
            "ResponseCacheControl": "private, no-store",
        },
        expire=expire,
    )


def storage_list_keys() -> Iterator[str]:
    """Every object under a `tenant-*` folder (other objects are not ours to judge)."""
    storage = upload_storage()
    try:
        folders, _ = storage.listdir("")
    except FileNotFoundError:  # a filesystem storage nothing was ever written to
        return
    for folder in sorted(folders):
        if not folder.startswith("tenant-"):
            continue
        _, files = storage.listdir(folder)
        for filename in sorted(files):
            yield f"{folder}/{filename}"


def storage_ensure_bucket() -> str:
    """Create the bucket (S3) or the media directory (filesystem) if missing; say which."""
    storage = upload_storage()
    if is_s3(storage):
        from botocore.exceptions import ClientError

        bucket = storage.bucket
        try:
            storage.connection.meta.client.head_bucket(Bucket=bucket.name)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket"):
                raise
            region = storage.connection.meta.client.meta.region_name
            kwargs: dict[str, Any] = {}
            if region and region != "us-east-1":
                kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
            bucket.create(**kwargs)
            return f"Created bucket {bucket.name}."
        return f"Bucket {bucket.name} already exists."
    # Not S3: the FileSystemStorage config/settings.py configures.
    location = Path(cast(FileSystemStorage, storage).location)
    if location.is_dir():
        return f"Directory {location} already exists."
    location.mkdir(parents=True, exist_ok=True)
    return f"Created directory {location}."
