"""Avatar/logo processing: what is accepted, what it becomes, and what is refused."""

from __future__ import annotations

import io
import struct
import tomllib
import zlib
from pathlib import Path

import PIL
import pytest
from django.core.exceptions import ValidationError
from packaging.requirements import Requirement
from packaging.version import Version
from PIL import ExifTags, Image

from tests.uploads.conftest import make_image
from uploads import images
from uploads.images import image_normalize


def _open(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def _refusal(data: bytes, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as excinfo:
        image_normalize(io.BytesIO(data), filename="x", size=len(data), **kwargs)
    return excinfo.value


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width: int = 20000, height: int = 20000) -> bytes:
    """A ~48 KB PNG whose header claims width x height pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * (width + 1) * 2400, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("fmt", "mode"),
    [("PNG", "RGB"), ("PNG", "RGBA"), ("JPEG", "RGB"), ("WEBP", "RGB"), ("GIF", "P")],
)
def test_each_accepted_format_becomes_a_512_png_without_metadata(fmt, mode):
    source = make_image(fmt, (900, 700), mode)
    result = image_normalize(io.BytesIO(source), filename=f"me.{fmt.lower()}", size=len(source))
    img = _open(result.data)
    assert img.format == "PNG"
    assert img.size == (512, 512)
    assert not img.getexif()
    assert img.info == {}  # no EXIF, ICC profile, XMP or text chunks
    assert result.checksum and len(result.checksum) == 64


def test_first_frame_of_an_animated_gif_is_used():
    frames = [Image.new("P", (100, 100), color) for color in (1, 2, 3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])
    img = _open(image_normalize(buffer, filename="a.gif", size=buffer.tell()).data)
    assert img.size == (512, 512)
    assert getattr(img, "n_frames", 1) == 1


def test_centre_crop_keeps_the_middle_of_a_wide_image():
    source = make_image("PNG", (1000, 500))  # left half red, right half blue
    img = _open(image_normalize(io.BytesIO(source), size=len(source)).data).convert("RGB")
    assert img.getpixel((10, 256)) == (255, 0, 0)
    assert img.getpixel((500, 256)) == (0, 0, 255)


def test_jpeg_gps_exif_is_stripped():
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCo"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (52.0, 31.0, 12.0)
    source = make_image("JPEG", (640, 480), exif=exif.tobytes())
    assert _open(source).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the input really has GPS

    result = image_normalize(io.BytesIO(source), size=len(source)).data
    img = _open(result)
    assert not img.getexif()
    assert "exif" not in img.info
    assert b"PhoneCo" not in result


def test_exif_orientation_is_applied():
    # Stored wide with the top half red; orientation 6 means "rotate 90 degrees clockwise".
    img = Image.new("RGB", (600, 300), "blue")
    img.paste("red", (0, 0, 600, 150))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    buffer = io.BytesIO()
    img.save(buffer, format="JPEG", exif=exif.tobytes(), quality=95)

    out = _open(image_normalize(buffer, size=buffer.tell()).data).convert("RGB")
    # Upright, the red half is on the right.
    right = out.getpixel((480, 256))
    left = out.getpixel((30, 256))
    assert right[0] > 200 and right[2] < 60
    assert left[2] > 200 and left[0] < 60


def test_a_small_png_claiming_20000x20000_is_refused_as_a_bomb():
    data = bomb_png()
    assert len(data) < 64 * 1024
    error = _refusal(data)
    assert error.code == "too_many_pixels"
    assert "megapixels" in error.messages[0]


def test_pixel_limit_comes_from_settings(settings):
    settings.UPLOADS_IMAGE_MAX_PIXELS = 100 * 100
    assert _refusal(make_image("PNG", (101, 100))).code == "too_many_pixels"
    assert image_normalize(io.BytesIO(make_image("PNG", (100, 100))), size=1)


def test_truncated_image_is_refused():
    data = make_image("PNG", (400, 400))
    data = data[: len(data) // 2]
    error = _refusal(data)
    assert error.code == "corrupt"


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0))
        + b"<html><script>alert(document.cookie)</script></html>",
        b"GIF89a<html><script>alert(document.cookie)</script></html>",
        b"\xff\xd8\xff\xe0<html><script>alert(1)</script></html>",
    ],
    ids=["png-header-html", "gif-header-html", "jpeg-header-html"],
)
def test_polyglot_image_header_plus_html_is_refused(data):
    assert _refusal(data).code in ("corrupt", "invalid_format")


def test_svg_is_refused_with_a_clear_message():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>1</script></svg>'
    error = _refusal(svg)
    assert error.code == "invalid_format"
    assert "SVG" in error.messages[0]


@pytest.mark.parametrize("fmt", ["BMP", "TIFF", "ICO"])
def test_other_pillow_formats_are_not_even_opened(fmt):
    assert _refusal(make_image(fmt, (64, 64))).code == "invalid_format"


def psd(size: int = 64) -> bytes:
    """A minimal Photoshop file (Pillow reads PSD but cannot write it)."""
    header = b"8BPS" + struct.pack(">H", 1) + b"\0" * 6 + struct.pack(">HIIHH", 3, size, size, 8, 3)
    sections = struct.pack(">III", 0, 0, 0) + struct.pack(">H", 0)  # no resources, raw data
    return header + sections + b"\0" * (size * size * 3)


@pytest.mark.parametrize(
    ("fmt", "data"),
    [
        ("TGA", make_image("TGA", (64, 64))),
        ("EPS", make_image("EPS", (64, 64))),
        ("PSD", psd()),
    ],
    ids=["tga", "eps", "psd"],
)
def test_decoders_outside_the_allowlist_never_see_the_bytes(fmt, data):
    """TGA, PSD and EPS decoders are where Pillow's CVEs cluster (EPS even runs Ghostscript)."""
    assert Image.open(io.BytesIO(data)).format == fmt  # Pillow alone would decode it
    error = _refusal(data)
    assert error.code == "invalid_format"
    assert "is not a PNG, JPEG, WebP or GIF image" in error.messages[0]


def test_the_decoder_allowlist_is_exactly_the_four_web_formats():
    assert set(images.ALLOWED_FORMATS) == {"PNG", "JPEG", "WEBP", "GIF"}


def test_pillow_floor_excludes_releases_with_the_2026_decoder_cves():
    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    (pillow,) = [
        Requirement(dep)
        for dep in project["project"]["dependencies"]
        if Requirement(dep).name.lower() == "pillow"
    ]
    assert not pillow.specifier.contains("12.2.0")
    assert pillow.specifier.contains("13.0.0")
    assert Version(PIL.__version__) >= Version("13")


def test_oversized_file_is_refused_before_decoding(settings):
    settings.UPLOADS_IMAGE_MAX_BYTES = 1024
    error = _refusal(b"not even an image" * 100)
    assert error.code == "too_large"
    assert "1 KB" not in error.messages[0] and "limit" in error.messages[0]


def test_empty_file_is_refused():
    assert _refusal(b"").code == "empty"
