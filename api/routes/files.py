"""Files: list, upload, download, delete, through the files page's form and services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, StreamingHttpResponse
from ninja import File as FileParam
from ninja import Router, Status
from ninja.files import UploadedFile

from api.auth import ApiRequest, KeyBearer
from api.pagination import DEFAULT_LIMIT, Cursor, Limit, paginate
from api.routes import ERRORS
from api.schemas import File, FilePage
from core.permissions import FILES_MANAGE
from uploads import selectors, services
from uploads.forms import FileUploadForm
from uploads.models import Upload
from uploads.storage import storage_open_stream

router = Router(tags=["Files"])


def file_out(upload: Upload) -> dict[str, Any]:
    return {
        "id": upload.pk,
        "filename": upload.original_filename,
        "content_type": upload.content_type,
        "size": upload.size,
        "sha256": upload.checksum,
        "created_at": upload.created_at,
    }


@router.get("/files", response={200: FilePage, **ERRORS}, summary="List files")
def files_list(request: ApiRequest, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT) -> Any:
    rows = Upload.objects.for_tenant(request.api_key.tenant).files()
    return paginate(rows, cursor=cursor, limit=limit, serialize=file_out, newest_first=True)


@router.post(
    "/files",
    response={201: File, **ERRORS},
    summary="Upload a file",
    auth=KeyBearer(scope=FILES_MANAGE),
)
def files_upload(request: ApiRequest, file: FileParam[UploadedFile]) -> Any:
    """multipart/form-data with one `file` part; the files page's size, type and storage
    limits apply."""
    form = FileUploadForm(data={}, files={"file": file}, tenant=request.api_key.tenant)
    if not form.is_valid():
        raise ValidationError({field: list(errors) for field, errors in form.errors.items()})
    # The storage cap is a plan cap like the member cap: 403 plan-limit, not a 422.
    # Named as its audit events name the key (the files page said "Former member").
    upload = form.create(uploaded_by=None, uploaded_by_label=str(request.api_key))
    return Status(201, file_out(upload))


@router.get("/files/{file_id}", response={200: File, **ERRORS}, summary="Get a file's details")
def files_get(request: ApiRequest, file_id: int) -> Any:
    return file_out(selectors.upload_get(tenant=request.api_key.tenant, pk=file_id))


@router.get(
    "/files/{file_id}/content",
    response={200: None, **ERRORS},
    summary="Download a file",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file's bytes, as an attachment",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def files_download(request: ApiRequest, file_id: int) -> Any:
    upload = selectors.upload_get(tenant=request.api_key.tenant, pk=file_id)
    body, closer = storage_open_stream(key=upload.key)
    response: FileResponse | StreamingHttpResponse
    if hasattr(body, "read"):
        response = FileResponse(
            body,
            content_type=upload.content_type,
            as_attachment=True,
            filename=upload.original_filename,
        )
    else:
        response = StreamingHttpResponse(body, content_type=upload.content_type)
        response["Content-Length"] = str(upload.size)
        response["Content-Disposition"] = f'attachment; filename="{upload.pk}.{upload.extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@router.post(
    "/files/{file_id}/delete",
    response={204: None, **ERRORS},
    summary="Delete a file",
    auth=KeyBearer(scope=FILES_MANAGE),
)
def files_delete(request: ApiRequest, file_id: int) -> Any:
    tenant = request.api_key.tenant
    upload = selectors.upload_get(tenant=tenant, pk=file_id)
    services.upload_delete(tenant=tenant, upload=upload, acting_user=None)
    return Status(204, None)
