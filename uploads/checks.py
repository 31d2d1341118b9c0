"""System checks for UPLOADS_* settings that only make sense together."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

_EXT = re.compile(r"[a-z0-9]{1,10}", re.ASCII)
_MIME = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*", re.ASCII)
# Types a browser would render as active content if a download were ever inlined.
_RISKY = {"text/html", "image/svg+xml", "application/xhtml+xml", "text/javascript"}


@register()
def check_uploads_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for ext, ctype in settings.UPLOADS_FILE_TYPES.items():
        if not _EXT.fullmatch(str(ext)) or not _MIME.fullmatch(str(ctype).lower()):
            errors.append(
                Error(
                    f"UPLOADS_FILE_TYPES entry {ext!r}: {ctype!r} is not "
                    "`<lower-case extension>: <type/subtype>`.",
                    id="uploads.E001",
                )
            )
        elif str(ctype).lower() in _RISKY:
            errors.append(
                Warning(
                    f"UPLOADS_FILE_TYPES allows .{ext} ({ctype}); it is served as an attachment "
                    "in a sandbox, but consider not accepting active content at all.",
                    id="uploads.W001",
                )
            )
    for name in ("UPLOADS_IMAGE_MAX_BYTES", "UPLOADS_IMAGE_MAX_PIXELS", "UPLOADS_FILE_MAX_BYTES"):
        if getattr(settings, name) <= 0:
            errors.append(Error(f"{name} must be a positive number.", id="uploads.E002"))
    if settings.UPLOADS_SERVE_PRESIGNED:
        backend = settings.STORAGES["default"]["BACKEND"]
        options = settings.STORAGES["default"].get("OPTIONS", {})
        if not backend.startswith("storages.backends.s3"):
            errors.append(
                Warning(
                    "UPLOADS_SERVE_PRESIGNED has no effect without S3 storage (set S3_ENDPOINT).",
                    id="uploads.W002",
                )
            )
        elif not options.get("querystring_auth", True):
            errors.append(
                Error(
                    "UPLOADS_SERVE_PRESIGNED needs signed URLs: the S3 storage has "
                    "querystring_auth=False, so member files would be public links.",
                    hint="Set querystring_auth=True in STORAGES['default']['OPTIONS'].",
                    id="uploads.E003",
                )
            )
        if not 1 <= settings.UPLOADS_PRESIGNED_EXPIRY <= 3600:
            errors.append(
                Error(
                    "UPLOADS_PRESIGNED_EXPIRY must be between 1 and 3600 seconds.",
                    id="uploads.E004",
                )
            )
    return errors


BODY_LIMIT_MW = "core.request_limits.RequestBodyLimitMiddleware"
CSRF_MW = "django.middleware.csrf.CsrfViewMiddleware"


@register()
def check_body_limit_middleware(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Oversized uploads must be refused before CSRF reads (and spools) the body."""
    middleware = list(settings.MIDDLEWARE)
    if BODY_LIMIT_MW not in middleware:
        return [
            Warning(
                f"{BODY_LIMIT_MW} is not in MIDDLEWARE: oversized uploads are read in full "
                "before they are refused.",
                hint=f'Add "{BODY_LIMIT_MW}" just before "{CSRF_MW}".',
                id="uploads.W003",
            )
        ]
    if CSRF_MW in middleware and middleware.index(CSRF_MW) < middleware.index(BODY_LIMIT_MW):
        return [
            Error(
                f"{BODY_LIMIT_MW} must come before {CSRF_MW}: CSRF reads the POST body first.",
                hint=f'Move "{BODY_LIMIT_MW}" just above "{CSRF_MW}".',
                id="uploads.E005",
            )
        ]
    return []
