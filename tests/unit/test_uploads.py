"""Uploads are judged by their bytes: every fixture is made here, in memory, with Pillow."""

from __future__ import annotations

import io
import random
import struct
import zlib
from pathlib import Path

import pytest
from PIL import ExifTags, Image
from werkzeug.datastructures import FileStorage

from opopmart.core.uploads import (
    DEFAULT_MAX_BYTES,
    StoredDocument,
    UploadRejected,
    store_document,
    store_photo,
)


# --------------------------------------------------------------------------- fixtures

def encode(image: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def noisy(size=(400, 300), mode="RGB", seed=0) -> Image.Image:
    """Incompressible pixels, so that cutting the file cuts image data."""
    channels = len(mode)
    data = random.Random(seed).randbytes(size[0] * size[1] * channels)
    return Image.frombytes(mode, size, data)


def jpeg(size=(640, 480), color=(200, 120, 40), **params) -> bytes:
    return encode(Image.new("RGB", size, color), "JPEG", **params)


def png_claiming(width: int, height: int) -> bytes:
    """A 1x1 PNG whose header claims another size: a bomb that costs nothing to make."""
    data = bytearray(encode(Image.new("L", (1, 1)), "PNG"))
    assert data[12:16] == b"IHDR"
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def pdf(*objects: bytes, trailer_extra: bytes = b"", eof: bool = True) -> bytes:
    """A well-formed PDF with a correct cross-reference table around ``objects``."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n" % (
        len(objects) + 1, trailer_extra, xref)
    if eof:
        out += b"%%EOF\n"
    return bytes(out)


def stream(body: bytes, compress: bool = False, extra: bytes = b"") -> bytes:
    if compress:
        body = zlib.compress(body)
        extra += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n" % (len(body), extra) + body + b"\nendstream"


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>"
CONTENT = stream(b"BT /F1 12 Tf 72 770 Td (Sertifikat Halal) Tj ET")
MINIMAL_PDF = pdf(CATALOG, PAGES, PAGE, CONTENT)


@pytest.fixture
def media(tmp_path) -> Path:
    return tmp_path / "media"


def files(root: Path) -> set[str]:
    return {p.name for p in root.iterdir()} if root.exists() else set()


def refused(code: str, call, media: Path) -> UploadRejected:
    with pytest.raises(UploadRejected) as info:
        call()
    assert info.value.code == code
    assert files(media) == set(), "a refused upload must leave nothing behind"
    assert str(info.value.message)  # a sentence for the person uploading
    return info.value


# --------------------------------------------------------------------------- photos

@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((3000, 2000), {"": (1600, 1067), "_md": (800, 533), "_sm": (400, 267)}),
        ((2000, 3000), {"": (1067, 1600), "_md": (533, 800), "_sm": (267, 400)}),
        ((640, 480), {"": (640, 480), "_md": (640, 480), "_sm": (400, 300)}),
    ],
)
def test_jpeg_is_stored_in_three_sizes(media, size, expected):
    stored = store_photo(io.BytesIO(jpeg(size)), media)
    assert (stored.width, stored.height) == expected[""]
    assert files(media) == {f"{stored.key}{suffix}.jpg" for suffix in expected}
    for suffix, dims in expected.items():
        with Image.open(media / f"{stored.key}{suffix}.jpg") as image:
            assert image.format == "JPEG"
            assert image.size == dims


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_with_alpha_land_on_white(media, fmt):
    image = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    image.paste((10, 90, 200, 255), (100, 0, 200, 100))  # right half opaque blue
    data = encode(image, fmt, lossless=True) if fmt == "WEBP" else encode(image, fmt)
    stored = store_photo(io.BytesIO(data), media)
    with Image.open(media / f"{stored.key}.jpg") as out:
        assert out.format == "JPEG" and out.mode == "RGB" and out.size == (200, 100)
        assert all(c > 245 for c in out.getpixel((40, 50)))  # transparent became white
        r, g, b = out.getpixel((160, 50))
        assert b > 180 and r < 40


def test_palette_png_with_transparency(media):
    image = Image.new("P", (50, 50), 0)
    image.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    image.paste(1, (25, 0, 50, 50))
    data = encode(image, "PNG", transparency=0)
    stored = store_photo(io.BytesIO(data), media)
    with Image.open(media / f"{stored.key}.jpg") as out:
        assert all(c > 245 for c in out.getpixel((5, 25)))
        assert out.getpixel((40, 25))[2] > 200


def test_sixteen_bit_png_is_scaled_not_clipped(media):
    image = Image.new("I;16", (20, 20), 32768)  # mid grey
    stored = store_photo(io.BytesIO(encode(image, "PNG")), media)
    with Image.open(media / f"{stored.key}.jpg") as out:
        assert 110 < out.getpixel((10, 10))[0] < 145


def test_exif_and_gps_are_dropped_and_orientation_applied(media):
    image = Image.new("RGB", (300, 200), (220, 0, 0))
    image.paste((0, 0, 220), (150, 0, 300, 200))  # left red, right blue
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # shown rotated 90° clockwise
    exif[ExifTags.Base.Make] = "KameraRahasia"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "S",
        ExifTags.GPS.GPSLatitude: (7.0, 15.0, 30.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (112.0, 45.0, 10.0),
    }
    data = encode(image, "JPEG", exif=exif, quality=95)
    with Image.open(io.BytesIO(data)) as check:  # the fixture really carries GPS
        assert check.getexif().get_ifd(ExifTags.IFD.GPSInfo)

    stored = store_photo(io.BytesIO(data), media)
    assert (stored.width, stored.height) == (200, 300)
    for name in files(media):
        raw = (media / name).read_bytes()
        assert b"Exif" not in raw and b"KameraRahasia" not in raw
        with Image.open(media / name) as out:
            assert len(out.getexif()) == 0
            assert not out.getexif().get_ifd(ExifTags.IFD.GPSInfo)
            assert "exif" not in out.info and "icc_profile" not in out.info
    with Image.open(media / f"{stored.key}.jpg") as out:
        assert out.size == (200, 300)
        top, bottom = out.getpixel((100, 40)), out.getpixel((100, 260))
        assert top[0] > 150 and top[2] < 80  # the left (red) side is now on top
        assert bottom[2] > 150 and bottom[0] < 80


@pytest.mark.parametrize("profile", ["srgb", "garbage"])
def test_colour_profile_is_applied_or_ignored_never_kept(media, profile):
    from PIL import ImageCms

    icc = (ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
           if profile == "srgb" else b"not a profile at all")
    data = encode(Image.new("RGB", (40, 40), (10, 200, 30)), "JPEG", icc_profile=icc)
    stored = store_photo(io.BytesIO(data), media)
    with Image.open(media / f"{stored.key}.jpg") as out:
        assert "icc_profile" not in out.info
        r, g, b = out.getpixel((20, 20))
        assert r < 40 and g > 170 and b < 60


def test_client_name_and_type_are_ignored(media, tmp_path):
    upload = FileStorage(io.BytesIO(jpeg()), filename="../../etc/passwd", content_type="text/html")
    stored = store_photo(upload, media)
    assert len(stored.key) == 32 and all(c in "0123456789abcdef" for c in stored.key)
    assert files(media) == {f"{stored.key}.jpg", f"{stored.key}_md.jpg", f"{stored.key}_sm.jpg"}
    assert {p.name for p in tmp_path.iterdir()} == {"media"}  # nothing written beside it


def test_each_upload_gets_a_new_key(media):
    first = store_photo(io.BytesIO(jpeg()), media)
    second = store_photo(io.BytesIO(jpeg()), media)
    assert first.key != second.key
    assert len(files(media)) == 6


SVG = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       b'<script>alert(document.cookie)</script><rect width="10" height="10"/></svg>')
HTML = b"<!doctype html><html><body><img src=x onerror=alert(1)></body></html>"
PHP = b"<?php system($_GET['c']); ?>"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(SVG, id="svg-with-script"),
        pytest.param(HTML, id="html"),
        pytest.param(encode(Image.new("RGB", (10, 10)), "GIF"), id="gif"),
        pytest.param(encode(Image.new("RGB", (10, 10)), "BMP"), id="bmp"),
        pytest.param(encode(Image.new("RGB", (10, 10)), "TIFF"), id="tiff"),
        pytest.param(MINIMAL_PDF, id="pdf"),
        pytest.param(b"Halo, ini bukan gambar.\n", id="text"),
        pytest.param(b"", id="empty"),
        pytest.param(b"\xff\xd8\xff", id="jpeg-magic-only"),
    ],
)
def test_not_a_photo(media, data):
    refused("not_image", lambda: store_photo(io.BytesIO(data), media), media)


def test_php_named_like_a_jpeg(media):
    upload = FileStorage(io.BytesIO(PHP), filename="x.php.jpg", content_type="image/jpeg")
    refused("not_image", lambda: store_photo(upload, media), media)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(jpeg() + b"<script>alert(1)</script>", id="jpeg+script"),
        pytest.param(jpeg() + HTML, id="jpeg+html"),
        pytest.param(jpeg(comment=b"<?php system($_GET['c']); ?>"), id="php-in-jpeg-comment"),
        pytest.param(jpeg() + SVG.upper(), id="jpeg+SVG-uppercase"),
        pytest.param(encode(Image.new("RGB", (10, 10)), "PNG") + b"<ScRiPt src=//x>", id="png+script"),
    ],
)
def test_polyglots_are_refused(media, data):
    refused("format", lambda: store_photo(io.BytesIO(data), media), media)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_truncated_files_are_refused(media, fmt):
    data = encode(noisy(), fmt)
    refused("truncated", lambda: store_photo(io.BytesIO(data[: len(data) // 2]), media), media)


def test_truncated_refusal_does_not_depend_on_global_setting(media, monkeypatch):
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    data = encode(noisy(), "JPEG")
    refused("truncated", lambda: store_photo(io.BytesIO(data[: len(data) // 2]), media), media)


def test_decompression_bomb_far_beyond_pillows_limit(media):
    data = png_claiming(50_000, 50_000)
    assert len(data) < 100
    refused("bomb", lambda: store_photo(io.BytesIO(data), media), media)


def test_more_pixels_than_our_limit_is_refused_before_decoding(media):
    data = png_claiming(8000, 6000)  # 48 MP: under Pillow's limit, over ours (40 MP)
    refused("bomb", lambda: store_photo(io.BytesIO(data), media), media)


def test_pillows_bomb_warning_is_a_refusal_not_a_crash(media):
    original = Image.MAX_IMAGE_PIXELS
    data = png_claiming(10_000, 10_000)  # 100 MP: Pillow warns (it does not raise)
    refused("bomb", lambda: store_photo(io.BytesIO(data), media, max_pixels=10**9), media)
    assert Image.MAX_IMAGE_PIXELS == original


def test_small_max_pixels(media):
    refused("bomb", lambda: store_photo(io.BytesIO(jpeg((200, 200))), media, max_pixels=100 * 100),
            media)


def test_over_size_stream_is_refused_without_reading_it_all(media):
    source = io.BytesIO(b"\xff" * (DEFAULT_MAX_BYTES + 5 * 1024 * 1024))
    error = refused("too_large", lambda: store_photo(source, media), media)
    assert source.tell() == DEFAULT_MAX_BYTES + 1
    assert "10" in error.message


def test_over_size_by_one_byte(media):
    data = jpeg()
    refused("too_large", lambda: store_photo(io.BytesIO(data), media, max_bytes=len(data) - 1),
            media)
    assert store_photo(io.BytesIO(data), media, max_bytes=len(data)).key


def test_pillow_warnings_filter_is_left_alone(media):
    import warnings

    before = list(warnings.filters)
    with pytest.raises(UploadRejected):
        store_photo(io.BytesIO(png_claiming(10_000, 10_000)), media, max_pixels=10**9)
    store_photo(io.BytesIO(jpeg()), media)
    assert warnings.filters == before


def test_messages_are_indonesian_sentences():
    error = UploadRejected("too_large", limit="10")
    assert "Berkas terlalu besar" in error.message and "10 MB" in error.message
    assert "JPEG, PNG atau WebP" in UploadRejected("not_image").message


# --------------------------------------------------------------------------- documents

def test_minimal_pdf_is_stored_as_is(media):
    document = store_document(io.BytesIO(MINIMAL_PDF), media)
    assert document == StoredDocument(document.key, "pdf")
    assert document.filename == f"{document.key}.pdf"
    assert files(media) == {f"{document.key}.pdf"}
    assert (media / document.filename).read_bytes() == MINIMAL_PDF


def test_pdf_with_compressed_text_is_accepted(media):
    data = pdf(CATALOG, PAGES, PAGE, stream(b"BT (Sertifikat) Tj ET" * 50, compress=True))
    assert store_document(io.BytesIO(data), media).kind == "pdf"


def test_document_may_be_a_photo(media):
    upload = FileStorage(io.BytesIO(jpeg((3000, 2000))), filename="sertifikat.pdf",
                         content_type="application/pdf")
    document = store_document(upload, media)
    assert document.kind == "image" and document.filename == f"{document.key}.jpg"
    assert files(media) == {f"{document.key}.jpg", f"{document.key}_md.jpg", f"{document.key}_sm.jpg"}


JS_ACTION = b"<< /Type /Action /S /JavaScript /JS (app.alert(1)) >>"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(pdf(b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>", PAGES, PAGE, CONTENT,
                         JS_ACTION), id="javascript-openaction"),
        pytest.param(pdf(CATALOG, PAGES, PAGE, CONTENT, b"<< /S /JavaScript >>"), id="javascript"),
        pytest.param(pdf(CATALOG, PAGES, PAGE, CONTENT, b"<< /JS 6 0 R >>"), id="js"),
        pytest.param(pdf(CATALOG, PAGES, PAGE, CONTENT, b"<< /S /Launch /F (cmd.exe) >>"), id="launch"),
        pytest.param(pdf(CATALOG, PAGES, PAGE, CONTENT, b"<</Type/EmbeddedFile>>"), id="embedded-file"),
        pytest.param(pdf(b"<< /Type /Catalog /Pages 2 0 R /OpenAction [3 0 R /Fit] >>", PAGES, PAGE,
                         CONTENT), id="openaction"),
        pytest.param(pdf(CATALOG, PAGES, PAGE, CONTENT, b"<< /S /J#61va#53cript /J#53 (x) >>"),
                     id="hex-escaped-name"),
        pytest.param(pdf(CATALOG, PAGES, PAGE, CONTENT,
                         stream(b"5 0 " + JS_ACTION, compress=True, extra=b" /Type /ObjStm /N 1 /First 4")),
                     id="javascript-in-object-stream"),
        pytest.param(pdf(CATALOG, PAGES, PAGE, CONTENT, trailer_extra=b"/Encrypt 5 0 R "), id="encrypted"),
        pytest.param(pdf(CATALOG, PAGES, PAGE, CONTENT, eof=False), id="no-eof"),
        pytest.param(MINIMAL_PDF + b"\n" + b"%" * 2000, id="eof-not-at-end"),
        pytest.param(MINIMAL_PDF[: len(MINIMAL_PDF) // 2], id="truncated"),
        pytest.param(MINIMAL_PDF.replace(b"(Sertifikat Halal)", b"(<html><script>x</script>)"),
                     id="html-inside"),
    ],
)
def test_unsafe_or_malformed_pdf_is_refused(media, data):
    refused("format", lambda: store_document(io.BytesIO(data), media), media)


def test_names_that_only_start_like_active_ones_are_fine(media):
    data = pdf(CATALOG, PAGES, PAGE, CONTENT, b"<< /JSON (1) /AAA 2 /Launcher 3 >>")
    assert store_document(io.BytesIO(data), media).kind == "pdf"


def test_pdf_stream_bomb_is_refused(media, monkeypatch):
    from opopmart.core import uploads

    monkeypatch.setattr(uploads, "MAX_PDF_INFLATED_BYTES", 1024 * 1024)
    data = pdf(CATALOG, PAGES, PAGE, stream(b"\0" * (2 * 1024 * 1024), compress=True))
    assert len(data) < 10_000
    refused("format", lambda: store_document(io.BytesIO(data), media), media)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (SVG, "not_document"),
        (HTML, "not_document"),
        (b"", "not_document"),
        (b" " + MINIMAL_PDF, "not_document"),  # a PDF starts with %PDF-, nothing before
        (encode(Image.new("RGB", (10, 10)), "GIF"), "not_document"),
        (jpeg() + b"<script>alert(1)</script>", "format"),
        (png_claiming(50_000, 50_000), "bomb"),
    ],
)
def test_document_refusals(media, data, code):
    refused(code, lambda: store_document(io.BytesIO(data), media), media)


def test_document_over_size(media):
    refused("too_large",
            lambda: store_document(io.BytesIO(MINIMAL_PDF), media, max_bytes=len(MINIMAL_PDF) - 1),
            media)


# --------------------------------------------------------------------------- markup scan

def entropy_span(data: bytes) -> tuple[int, int]:
    from opopmart.core.uploads import _jpeg_pixel_spans

    spans = list(_jpeg_pixel_spans(data))
    assert spans
    return spans[-1]


def test_markup_by_chance_inside_compressed_pixels_is_not_a_polyglot(media):
    """``<svg`` turns up by chance in big photos; only metadata and trailing bytes count."""
    data = bytearray(encode(noisy((600, 400)), "JPEG", quality=90))
    start, end = entropy_span(bytes(data))
    middle = (start + end) // 2
    data[middle:middle + 5] = b"<svg "
    data = bytes(data)
    assert b"<svg " in data
    stored = store_photo(io.BytesIO(data), media)
    assert len(files(media)) == 3 and stored.width == 600


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_markup_outside_the_pixels_is_found(fmt):
    from opopmart.core.uploads import without_pixel_data

    pixels = noisy((64, 64))
    data = encode(pixels, fmt, exif=Image.Exif()) + b"<script>x</script>"
    stripped = without_pixel_data(data, fmt)
    assert len(stripped) < len(data) // 2  # the pixel data is left out
    assert stripped.endswith(b"<script>x</script>")
    xmp = b'<x:xmpmeta><svg onload="alert(1)"/></x:xmpmeta>'
    with_xmp = encode(pixels, fmt, xmp=xmp) if fmt != "PNG" else encode(
        pixels, fmt, pnginfo=_png_text(xmp))
    assert b"<svg" in without_pixel_data(with_xmp, fmt)


def _png_text(text: bytes):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("XML:com.adobe.xmp", text.decode())
    return info


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_markup_in_metadata_is_refused(media, fmt):
    xmp = b'<x:xmpmeta><svg onload="alert(1)"/></x:xmpmeta>'
    image = Image.new("RGB", (32, 32), (1, 2, 3))
    data = encode(image, fmt, xmp=xmp) if fmt != "PNG" else encode(image, fmt, pnginfo=_png_text(xmp))
    refused("format", lambda: store_photo(io.BytesIO(data), media), media)
