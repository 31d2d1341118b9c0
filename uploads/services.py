"""Storing, replacing and deleting uploads.

Order of operations, always: write the new object first, then record it (and
point the user/tenant at it) in one transaction, then delete the replaced
object after commit, best-effort. A crash at any point leaves at worst an
object without a row, which `cleanup_orphan_uploads` removes; never a row (or
an avatar) pointing at nothing.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, Literal

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from billing.plans import plan_check_storage
from core.audit import audit_record
from tenants.audit import TenantAction
from tenants.models import Tenant
from tenants.services._common import lock_tenant
from uploads import images
from uploads.audit import FileAction
from uploads.exceptions import InvalidUploadKey
from uploads.keys import upload_key_build, upload_key_validate
from uploads.models import Upload
from uploads.selectors import served_upload_forget, upload_storage_used
from uploads.storage import (
    storage_delete_quietly,
    storage_list_keys,
    storage_save,
    upload_storage,
)
from webhooks.events import event_emit

logger = logging.getLogger("uploads")


def _forget_after_commit(key: str) -> None:
    def forget() -> None:
        served_upload_forget(key=key)
        storage_delete_quietly(key=key)

    # robust: this runs inside the caller's `with transaction.atomic()`, after the
    # commit; an error here must not look like a failed save (the caller would then
    # delete the object the committed row points at).
    transaction.on_commit(forget, robust=True)


def _room_check(*, tenant: Tenant, adding_bytes: int, acting_user: User | None) -> None:
    """The plan's storage cap against what the tenant stores now (every kind counted)."""
    plan_check_storage(
        tenant=tenant,
        used_bytes=upload_storage_used(tenant=tenant),
        adding_bytes=adding_bytes,
        acting_user=acting_user,
    )


@contextmanager
def _new_image_object(*, tenant: Tenant, image: images.NormalizedImage) -> Iterator[str]:
    """Write the image's object before any row points at it, and delete it again if
    recording it fails: that transaction rolled back, so nothing refers to it."""
    key = upload_key_build(tenant_id=tenant.pk, extension=images.OUTPUT_EXTENSION)
    storage_save(key=key, content=ContentFile(image.data), content_type=images.OUTPUT_CONTENT_TYPE)
    try:
        yield key
    except BaseException:
        storage_delete_quietly(key=key)
        raise


def _image_row(
    *, tenant: Tenant, key: str, image: images.NormalizedImage, kind: str, user: User | None
) -> Upload:
    upload = Upload(
        tenant=tenant,
        uploaded_by=user,
        key=key,
        original_filename=image.original_filename,
        content_type=images.OUTPUT_CONTENT_TYPE,
        size=image.size,
        checksum=image.checksum,
        kind=kind,
    )
    upload.full_clean()
    upload.save()
    return upload


def _image_swap(
    *,
    owner: User | Tenant,
    field: Literal["avatar", "logo"],
    tenant: Tenant,
    key: str,
    also_save: tuple[str, ...] = (),
) -> bool:
    """Point the owner's avatar or logo at `key` ("" for none), inside the caller's
    transaction: the replaced image's row goes now, its object after commit.

    False, with nothing written, when there is neither an old nor a new image.
    """
    # Lock the owner so two concurrent changes cannot both replace the same old key.
    # `__class__`, not type(): request.user is a SimpleLazyObject that proxies it.
    # NO KEY: the lock lock_tenant takes (its docstring says why not FOR UPDATE).
    locked = owner.__class__._default_manager.select_for_update(no_key=True).get(pk=owner.pk)
    old_key: str = getattr(locked, field)
    if not key and not old_key:
        return False
    if old_key:
        Upload.objects.filter(tenant_id=tenant.pk, key=old_key).delete()
        _forget_after_commit(old_key)
    setattr(locked, field, key)
    locked.save(update_fields=[field, *also_save])
    return True


def avatar_update(*, user: User, image: images.NormalizedImage) -> Upload:
    """Store a processed avatar in the user's personal tenant and make it current."""
    tenant = user.personal_tenant
    with _new_image_object(tenant=tenant, image=image) as key, transaction.atomic():
        _image_swap(owner=user, field="avatar", tenant=tenant, key=key)
        upload = _image_row(tenant=tenant, key=key, image=image, kind=Upload.Kind.AVATAR, user=user)
    user.avatar = key
    return upload


def avatar_remove(*, user: User) -> None:
    """Clear the user's avatar; the object is deleted after commit."""
    with transaction.atomic():
        if not _image_swap(owner=user, field="avatar", tenant=user.personal_tenant, key=""):
            return
    user.avatar = ""


def logo_update(*, tenant: Tenant, image: images.NormalizedImage, acting_user: User) -> Upload:
    """Store a processed logo for the tenant and make it current, if the plan's storage
    cap leaves room for it once the replaced logo is gone (the cap counts logos too)."""
    with _new_image_object(tenant=tenant, image=image) as key, transaction.atomic():
        # The swap locks the tenant's row (the lock uploads take) and drops the old row.
        _image_swap(owner=tenant, field="logo", tenant=tenant, key=key, also_save=("updated_at",))
        _room_check(tenant=tenant, adding_bytes=image.size, acting_user=acting_user)
        upload = _image_row(
            tenant=tenant, key=key, image=image, kind=Upload.Kind.LOGO, user=acting_user
        )
        audit_record(
            tenant=tenant,
            action=TenantAction.LOGO_CHANGED,
            acting_user=acting_user,
            target=upload,
            target_label=upload.original_filename,
            after={"size": upload.size},
        )
    tenant.logo = key
    return upload


def logo_remove(*, tenant: Tenant, acting_user: User) -> None:
    """Clear the tenant's logo; the object is deleted after commit."""
    with transaction.atomic():
        if not _image_swap(
            owner=tenant, field="logo", tenant=tenant, key="", also_save=("updated_at",)
        ):
            return
        audit_record(
            tenant=tenant,
            action=TenantAction.LOGO_REMOVED,
            acting_user=acting_user,
            target=tenant,
        )
    tenant.logo = ""


def upload_create(
    *,
    tenant: Tenant,
    uploaded_by: User | None,
    file: UploadedFile,
    extension: str,
    content_type: str,
    uploaded_by_label: str = "",
) -> Upload:
    """Store a general tenant file (its size and type already checked by the form) and
    record it, if the plan's storage cap leaves room (PlanLimitReached otherwise).
    `uploaded_by_label` names who uploaded it when no person did (an API key).

    The cap is checked before the bytes are sent to storage (a file that cannot fit
    costs no transfer) and again under the tenant's lock with the row's insert:
    uploads sent at the same moment all passed the first check alone."""
    _room_check(tenant=tenant, adding_bytes=file.size or 0, acting_user=uploaded_by)
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    key = upload_key_build(tenant_id=tenant.pk, extension=extension)
    storage_save(key=key, content=file, content_type=content_type)
    assert file.size is not None  # set for every uploaded file (typed optional for File)
    upload = Upload(
        tenant=tenant,
        uploaded_by=uploaded_by,
        uploaded_by_label=uploaded_by_label[:120],
        key=key,
        original_filename=_safe_filename(file.name or f"file.{extension}"),
        content_type=content_type,
        size=file.size,
        checksum=digest.hexdigest(),
        kind=Upload.Kind.FILE,
    )
    try:
        with transaction.atomic():
            lock_tenant(tenant)
            _room_check(tenant=tenant, adding_bytes=upload.size, acting_user=uploaded_by)
            upload.full_clean()
            upload.save()
            audit_record(
                tenant=tenant,
                action=FileAction.UPLOADED,
                acting_user=uploaded_by,
                target=upload,
                target_label=upload.original_filename,
                after={"size": upload.size, "content_type": content_type},
            )
            event_emit(tenant_id=tenant.pk, type="file.uploaded", data=_event_data(upload))
    except BaseException:
        storage_delete_quietly(key=key)
        raise
    return upload


def upload_delete(*, tenant: Tenant, upload: Upload, acting_user: User | None) -> None:
    """Delete a general file: the row now, the object after commit."""
    if upload.tenant_id != tenant.pk:
        # Views fetch through upload_get(tenant=...); reaching this is a bug, not a 404.
        raise ValueError("Upload does not belong to this tenant.")
    if upload.kind != Upload.Kind.FILE:
        raise ValueError("Avatars and logos are removed through their own services.")
    with transaction.atomic():
        # Two deletes at once (a double click, an API retry): the second waits here and
        # finds nothing to delete, so the event is written and sent once.
        if not Upload.objects.select_for_update().filter(pk=upload.pk).values("pk").first():
            return
        audit_record(
            tenant=tenant,
            action=FileAction.DELETED,
            acting_user=acting_user,
            target=upload,
            target_label=upload.original_filename,
            before={"size": upload.size, "content_type": upload.content_type},
        )
        event_emit(tenant_id=tenant.pk, type="file.deleted", data=_event_data(upload))
        upload.delete()
        _forget_after_commit(upload.key)
    logger.info(
        "Upload %s deleted from tenant %s by user %s",
        upload.key,
        tenant.pk,
        acting_user.pk if acting_user is not None else None,
    )


def orphan_uploads_cleanup(*, min_age: timedelta, dry_run: bool) -> list[str]:
    """Delete (or with dry_run only list) objects older than `min_age` that have no row.

    The age threshold protects uploads in flight: their object is written before
    their row commits.
    """
    cutoff = timezone.now() - min_age
    storage = upload_storage()
    orphans: list[str] = []
    known: set[str] = set()
    folder = None
    for key in storage_list_keys():
        try:
            upload_key_validate(key)
        except InvalidUploadKey:
            # Something we did not write (a stray file, another tool): report, never delete.
            logger.warning("Unexpected object %s in storage; not ours to delete.", key)
            continue
        this_folder = key.partition("/")[0]
        if this_folder != folder:
            folder = this_folder
            known = set(
                Upload.objects.filter(key__startswith=f"{folder}/").values_list("key", flat=True)
            )
        if key in known:
            continue
        if storage.get_modified_time(key) > cutoff:
            continue
        orphans.append(key)
        if not dry_run:
            storage_delete_quietly(key=key)
    return orphans


def deleted_workspaces_files_purge(*, deleted_before: datetime, batch_size: int = 500) -> int:
    """Delete every upload (files, logos) of the workspaces deleted before
    `deleted_before`: the rows a batch per transaction, each batch's objects after its
    commit. A deleted workspace kept its files forever, "removed from view": the bytes
    were the customer's. Its audit log keeps their names (it is what billing and audit
    need). An object whose delete fails is left to `cleanup_orphan_uploads`. Returns
    how many."""
    purged = 0
    while True:
        with transaction.atomic():
            batch = list(
                Upload.objects.filter(tenant__deleted_at__lt=deleted_before)
                .order_by("pk")
                .values_list("pk", "key")[:batch_size]
            )
            if not batch:
                return purged
            Upload.objects.filter(pk__in=[pk for pk, _key in batch]).delete()
            for _pk, key in batch:
                _forget_after_commit(key)
        purged += len(batch)


def _event_data(upload: Upload) -> dict[str, Any]:
    """A file as webhook payloads describe it (docs/webhooks.md)."""
    return {
        "file_id": upload.pk,
        "filename": upload.original_filename,
        "size": upload.size,
        "content_type": upload.content_type,
    }


def _safe_filename(name: str) -> str:
    """The name shown and sent back in Content-Disposition: no path, no control chars."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "file"
    if len(name) > 255:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 254 - len(ext)] + dot + ext) if dot and len(ext) <= 10 else name[:255]
    return name
