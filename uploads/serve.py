"""`GET /serve/<tenant-folder>/<filename>`: the only way stored objects reach a browser.

Order matters: the route parameters are validated before anything else, the
row (cached) decides visibility and headers, a matching If-None-Match ends in
304 without touching storage, and only then is the object streamed.

Every answer, 404s included, carries `Cross-Origin-Resource-Policy: same-origin`:
other sites cannot embed our objects (or time whether one exists). 404s are
`no-store`, so a file that becomes visible (an upload finishing, a new member)
is never hidden behind a cached "not found".
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotModified,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.utils.http import content_disposition_header, parse_etags
from django.views.decorators.http import require_safe

from tenants.middleware_two_factor import two_factor_gate
from uploads.keys import is_valid_route
from uploads.selectors import ServedUpload, files_access_get, served_upload_get
from uploads.storage import is_s3, storage_open_stream, storage_presigned_url, upload_storage

if TYPE_CHECKING:
    from core.types import TenantRequest

logger = logging.getLogger("uploads")
security_logger = logging.getLogger("uploads.security")

PUBLIC_CACHE_CONTROL = "public, max-age=86400"
# Member files: browsers keep a copy but revalidate (a cheap 304), so a removed
# member stops seeing them at once.
PRIVATE_CACHE_CONTROL = "private, no-cache"
RESOURCE_POLICY = "same-origin"


@require_safe
def serve(request: HttpRequest, folder: str, filename: str) -> HttpResponseBase:
    try:
        response = _serve(request, folder, filename)
    except Http404:
        # The site's 404 page (config.views.page_not_found renders the same template).
        response = render(request, "errors/404.html", status=404)
        response["Cache-Control"] = "no-store"
    response["Cross-Origin-Resource-Policy"] = RESOURCE_POLICY
    return response


def _serve(request: HttpRequest, folder: str, filename: str) -> HttpResponseBase:
    if not is_valid_route(folder=folder, filename=filename):
        security_logger.info("Rejected /serve path %r/%r", folder, filename)
        raise Http404("No such file.")
    served = served_upload_get(key=f"{folder}/{filename}")
    if served is None:
        raise Http404("No such file.")
    if not served.is_public and not _may_see(request, served):
        # 404, not 403: never confirm that another tenant's file exists.
        raise Http404("No such file.")

    etag = f'"{served.checksum}"'
    if _etag_matches(request, etag):
        return _with_headers(HttpResponseNotModified(), served, etag)

    storage = upload_storage()
    if not served.is_public and settings.UPLOADS_SERVE_PRESIGNED and is_s3(storage):
        url = storage_presigned_url(
            key=served.key,
            expire=settings.UPLOADS_PRESIGNED_EXPIRY,
            filename=served.original_filename,
            content_type=served.content_type,
        )
        response: HttpResponseBase = HttpResponseRedirect(url)
        response["Cache-Control"] = "private, no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response

    try:
        body, closer = storage_open_stream(key=served.key)
    except Exception as exc:  # noqa: BLE001 - missing object or storage outage, per backend
        if not _is_missing(exc):
            raise
        logger.error("Upload row %s has no object in storage.", served.key)
        raise Http404("No such file.") from exc
    response = _stream(body, closer, served)
    return _with_headers(response, served, etag)


def _may_see(request: HttpRequest, served: ServedUpload) -> bool:
    """An active member whom the organisation's two-factor policy does not shut out:
    its files are as closed to them as its pages (the link of a file seen before, or
    shared in a chat, kept working)."""
    user = request.user
    if not user.is_authenticated:
        return False
    access = files_access_get(user_id=user.pk, tenant_id=served.tenant_id)
    if access is None:
        return False
    shut_out, _ = two_factor_gate(
        cast("TenantRequest", request),
        required_at=access.two_factor_required_at,
        grace_until=access.two_factor_grace_until,
    )
    return not shut_out


def _etag_matches(request: HttpRequest, etag: str) -> bool:
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    # Weak comparison, as RFC 9110 prescribes for If-None-Match.
    candidates = [tag.removeprefix("W/") for tag in parse_etags(header)]
    return "*" in candidates or etag in candidates


def _is_missing(exc: Exception) -> bool:
    if isinstance(exc, FileNotFoundError):
        return True
    response = getattr(exc, "response", None)  # botocore ClientError
    code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
    return code in ("NoSuchKey", "404")


def _stream(body: Any, closer: Any, served: ServedUpload) -> HttpResponse | StreamingHttpResponse:
    # Anything but an image we produced is a download, never rendered by the browser.
    attachment = not served.is_public
    if hasattr(body, "read"):
        return FileResponse(
            body,
            content_type=served.content_type,
            as_attachment=attachment,
            filename=served.original_filename if attachment else "",
        )

    def chunks() -> Iterator[bytes]:
        try:
            yield from body
        finally:
            closer.close()

    response = StreamingHttpResponse(chunks(), content_type=served.content_type)
    response["Content-Length"] = str(served.size)
    if attachment:
        response["Content-Disposition"] = content_disposition_header(True, served.original_filename)
    return response


def _with_headers(response: HttpResponseBase, served: ServedUpload, etag: str) -> Any:
    response["ETag"] = etag
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    if served.is_public:
        response["Cache-Control"] = PUBLIC_CACHE_CONTROL
    else:
        response["Cache-Control"] = PRIVATE_CACHE_CONTROL
        response["Vary"] = "Cookie"
    return response
