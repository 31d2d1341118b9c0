"""Which general files a tenant may upload, decided by extension and content.

The allowed extensions and the Content-Type each is served with come from
`settings.UPLOADS_FILE_TYPES`; the browser's content type is never trusted.
Formats with a well-known signature must start with it, so a `.pdf` that is
really HTML is refused (and everything is served as an attachment anyway).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "webp": (b"RIFF",),
    "zip": _ZIP,
    "docx": _ZIP,
    "xlsx": _ZIP,
    "pptx": _ZIP,
    "odt": _ZIP,
    "ods": _ZIP,
    "odp": _ZIP,
}
SIGNATURE_BYTES = 16
_EXTENSION_RE = re.compile(r"[a-z0-9]{1,10}", re.ASCII)


def allowed_file_types() -> dict[str, str]:
    """Extension -> Content-Type, read from settings at use time."""
    return {ext.lower(): ctype for ext, ctype in settings.UPLOADS_FILE_TYPES.items()}


def allowed_types_listed() -> str:
    """The allowed extensions as people read them, ".csv, .docx", in one spelling for the
    form's hint and the refusal. Isolated left to right (U+2066 … U+2069): inside an
    Arabic sentence the dots would otherwise move to the wrong ends of the words."""
    return "\u2066" + ", ".join(f".{e}" for e in sorted(allowed_file_types())) + "\u2069"


def file_type_check(*, filename: str, head: bytes) -> tuple[str, str]:
    """Return (extension, content type) for an allowed file; raise ValidationError otherwise."""
    types = allowed_file_types()
    _stem, dot, ext = filename.rpartition(".")
    ext = ext.lower() if dot else ""
    if not ext or not _EXTENSION_RE.fullmatch(ext) or ext not in types:
        raise ValidationError(
            _("Files of this type cannot be uploaded. Allowed types: %(types)s.")
            % {"types": allowed_types_listed()},
            code="file_type",
        )
    signatures = SIGNATURES.get(ext)
    if signatures and not head.startswith(signatures):
        raise ValidationError(
            _("This file's content does not match its .%(extension)s extension.")
            % {"extension": ext},
            code="content_mismatch",
        )
    if ext == "webp" and head[8:12] != b"WEBP":
        raise ValidationError(
            _("This file's content does not match its .%(extension)s extension.")
            % {"extension": "webp"},
            code="content_mismatch",
        )
    return ext, types[ext]
