"""Avatar and logo processing with Pillow.

Only PNG, JPEG, WebP and GIF decoders are allowed to look at the bytes (never
the extension or the browser's content type). The pixel count is checked from
the header before anything is decoded, so a tiny file claiming 20000x20000
pixels is refused in microseconds (JPEGs at the reduced scale libjpeg will
decode them to). The result is always a fresh 512x512 PNG
with no metadata: what we serve is an image we produced.
"""

from __future__ import annotations

import base64
import hashlib
import io
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

from core.request_limits import megabytes

ALLOWED_FORMATS = ("PNG", "JPEG", "WEBP", "GIF")
OUTPUT_SIZE = 512
OUTPUT_CONTENT_TYPE = "image/png"
OUTPUT_EXTENSION = "png"
_ACCEPTED = gettext_lazy("PNG, JPEG, WebP or GIF")


@dataclass(frozen=True)
class NormalizedImage:
    """A processed image ready to store: only `image_normalize` makes these."""

    data: bytes
    checksum: str
    original_filename: str

    @property
    def size(self) -> int:
        return len(self.data)


def _mb(n: int) -> str:
    return _("%(size)s MB") % {"size": megabytes(n)}


def image_normalize(
    fp: IO[bytes], *, filename: str = "", size: int | None = None
) -> NormalizedImage:
    """Validate and convert an uploaded image to a 512x512 PNG without metadata.

    Raises ValidationError (with a message fit for a form) for anything else.
    """
    max_bytes = settings.UPLOADS_IMAGE_MAX_BYTES
    if size is not None and size > max_bytes:
        raise ValidationError(
            _("This image is %(size)s; the limit is %(limit)s.")
            % {"size": _mb(size), "limit": _mb(max_bytes)},
            code="too_large",
        )
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    fp.seek(0)
    try:
        with Image.open(fp, formats=list(ALLOWED_FORMATS)) as img:
            if img.format == "JPEG":
                # Let libjpeg decode at a reduced scale when the photo is much larger;
                # the pixel check below then counts what will really be decoded.
                img.draft("RGB", (OUTPUT_SIZE, OUTPUT_SIZE))
            _check_pixels(img)
            img.seek(0)  # first frame of an animated GIF/WebP
            img.load()
            result = _square_png(img)
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
        if isinstance(exc, Image.DecompressionBombError):
            raise _too_many_pixels() from exc
        raise ValidationError(
            _("This file is not a %(formats)s image. SVG and other formats are not accepted.")
            % {"formats": _ACCEPTED},
            code="invalid_format",
        ) from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        # Truncated or corrupt data, or a polyglot whose image part does not decode.
        raise ValidationError(
            _("This image is damaged or incomplete and could not be read."), code="corrupt"
        ) from exc
    return NormalizedImage(
        data=result,
        checksum=hashlib.sha256(result).hexdigest(),
        original_filename=(filename or "image")[:255],
    )


def _too_many_pixels() -> ValidationError:
    megapixels = round(settings.UPLOADS_IMAGE_MAX_PIXELS / 1e6, 1)
    # In the reader's numbers: "16,8" in German.
    limit = number_format(int(megapixels) if megapixels.is_integer() else megapixels)
    return ValidationError(
        _(
            "This image is too large in pixels (the limit is %(limit)s megapixels). "
            "Please upload a smaller image."
        )
        % {"limit": limit},
        code="too_many_pixels",
    )


def _check_pixels(img: Image.Image) -> None:
    width, height = img.size
    if width < 1 or height < 1:
        raise ValidationError(_("This image has no pixels."), code="corrupt")
    if width * height > settings.UPLOADS_IMAGE_MAX_PIXELS:
        raise _too_many_pixels()


def _square_png(img: Image.Image) -> bytes:
    img = ImageOps.exif_transpose(img)
    has_alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    img = img.convert("RGBA" if has_alpha else "RGB")
    fitted = ImageOps.fit(
        img, (OUTPUT_SIZE, OUTPUT_SIZE), Image.Resampling.LANCZOS, centering=(0.5, 0.5)
    )
    # A clean image: nothing from the source (EXIF, GPS, ICC, text chunks) is carried over.
    out = Image.new(fitted.mode, fitted.size)
    out.paste(fitted)
    buffer = io.BytesIO()
    out.save(buffer, format="PNG")
    return buffer.getvalue()


def image_preview_data_uri(image: NormalizedImage, *, size: int = 192) -> str:
    """A small `data:` URI of the processed result, shown before the user saves it."""
    with Image.open(io.BytesIO(image.data), formats=["PNG"]) as img:
        thumb = img.resize((size, size), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        thumb.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
